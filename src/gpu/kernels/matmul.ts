import blocked from '../../../shaders/matmul.wgsl?raw';
import bvec4 from '../../../shaders/matmul_bvec4.wgsl?raw';
import gemv from '../../../shaders/matmul_gemv.wgsl?raw';
import gemvSg from '../../../shaders/matmul_gemv_sg.wgsl?raw';
import tiled from '../../../shaders/matmul_tiled.wgsl?raw';
import vec4 from '../../../shaders/matmul_vec4.wgsl?raw';
import type { GpuContext } from '../context.ts';

export const MATMUL_BLOCKED = { name: 'matmul', code: blocked };
export const MATMUL_TILED = { name: 'matmul_tiled', code: tiled };
export const MATMUL_VEC4 = { name: 'matmul_vec4', code: vec4 };
export const MATMUL_BVEC4 = { name: 'matmul_bvec4', code: bvec4 };
export const MATMUL_GEMV = { name: 'matmul_gemv', code: gemv };
export const MATMUL_GEMV_SG = { name: 'matmul_gemv_sg', code: gemvSg };

/**
 * 'blocked' = barrier-free, any shape (CPU adapters); 'vec4' = the same with vec4 loads of both operands;
 * 'bvec4' = vec4 loads of B only, any K (the head gradient, K = 50,257); 'gemv' = M ≤ 4 rows, one invocation
 * per 4 columns; 'gemv-sg' = the same with K split over a workgroup and a subgroup reduction (GPUs);
 * 'tiled' = workgroup-memory tiles (GPUs).
 */
export type MatmulVariant = 'blocked' | 'vec4' | 'bvec4' | 'gemv' | 'gemv-sg' | 'tiled';
export const MATMUL_VARIANTS: readonly MatmulVariant[] = [
  'blocked',
  'vec4',
  'bvec4',
  'gemv',
  'gemv-sg',
  'tiled',
];

export interface MatmulArgs {
  a: GPUBuffer;
  b: GPUBuffer;
  out: GPUBuffer;
  bias?: GPUBuffer;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  /** out += result (parameter gradients accumulate, llm.c style). */
  accumulate?: boolean;
  /** Defaults to the adapter's plan (see matmulPlan); tests run every variant. */
  variant?: MatmulVariant;
  /** Tests only: the tiled kernel's workgroup side instead of the plan's. */
  tiledWorkgroup?: 8 | 16;
}

type Shape = Pick<MatmulArgs, 'M' | 'N' | 'K' | 'transA' | 'transB'>;

/** vec4 loads need the contiguous dimension of each operand to be a multiple of 4. */
export function vec4Allowed(x: Shape): boolean {
  return x.K % 4 === 0 && (!x.transA || x.M % 4 === 0) && (x.transB || x.N % 4 === 0);
}

/** B read as vec4 along N: B must be (K, N) with N % 4 == 0; A and K are free. */
export function bvec4Allowed(x: Shape): boolean {
  return !x.transB && x.N % 4 === 0;
}

export const GEMV_MAX_ROWS = 4;

/** A few rows, and B's contiguous dimension (K with transB, else N) a multiple of 4. */
export function gemvAllowed(x: Shape): boolean {
  return x.M >= 1 && x.M <= GEMV_MAX_ROWS && (x.transB ? x.K % 4 === 0 : x.N % 4 === 0);
}

/** Whether `variant` can run this shape on this context (feature- and limit-wise). */
export function variantAllowed(ctx: GpuContext, variant: MatmulVariant, x: Shape): boolean {
  const maxGroups = ctx.device.limits.maxComputeWorkgroupsPerDimension;
  switch (variant) {
    case 'blocked':
    case 'tiled':
      return true;
    case 'vec4':
      return vec4Allowed(x);
    case 'bvec4':
      return bvec4Allowed(x);
    case 'gemv':
      return gemvAllowed(x) && Math.ceil(x.N / 256) <= maxGroups;
    case 'gemv-sg':
      return gemvAllowed(x) && ctx.device.features.has('subgroups') && Math.ceil(x.N / 4) <= maxGroups;
  }
}

/** The choices made once per device from its adapter: which kernels, and the tiled kernel's workgroup. */
export interface MatmulPlan {
  /** In order of preference; the first one allowed for a shape runs ('blocked' and 'tiled' run anything). */
  order: MatmulVariant[];
  /** Side of the tiled kernel's square workgroup (its output tile is 4× that). */
  tiledWorkgroup: 8 | 16;
}

const plans = new WeakMap<GPUDevice, MatmulPlan>();

/**
 * CPU adapters (SwiftShader, lavapipe) run barrier-free kernels, where workgroup memory and barriers cost far
 * more than they save: vec4 where aligned (at one row the GEMV only matched it on SwiftShader, see
 * docs/performance.md), the GEMV for a few rows it cannot take (K unaligned), bvec4 for unaligned K.
 * GPUs run the subgroup GEMV for a few rows (the tiled kernel idles 63/64 of a tile at M = 1) and the tiled
 * kernel with the largest square workgroup the limits allow.
 */
export function matmulPlan(ctx: GpuContext): MatmulPlan {
  let plan = plans.get(ctx.device);
  if (plan) return plan;
  const l = ctx.device.limits;
  const big =
    l.maxComputeInvocationsPerWorkgroup >= 256 && l.maxComputeWorkgroupStorageSize >= 2 * 64 * 16 * 4;
  const tiledWorkgroup = big ? 16 : 8;
  plan = ctx.prefersTiled
    ? { order: ['gemv-sg', 'gemv', 'tiled'], tiledWorkgroup }
    : { order: ['vec4', 'gemv', 'bvec4', 'blocked'], tiledWorkgroup };
  plans.set(ctx.device, plan);
  return plan;
}

/** The variant matmul() runs for this shape when none is given. */
export function chooseVariant(ctx: GpuContext, x: Shape): MatmulVariant {
  return matmulPlan(ctx).order.find((v) => variantAllowed(ctx, v, x)) ?? 'blocked';
}

/** out(M,N) = op(a)·op(b) (+ bias) (+ out). See shaders/matmul.wgsl for the layouts. */
export function matmul(ctx: GpuContext, x: MatmulArgs): void {
  const variant = x.variant ?? chooseVariant(ctx, x);
  if (!variantAllowed(ctx, variant, x)) {
    throw new RangeError(
      `matmul ${variant} variant cannot run M=${x.M} N=${x.N} K=${x.K} transA=${!!x.transA} transB=${!!x.transB} on this adapter.`,
    );
  }
  const flags = {
    TRANS_A: x.transA ? 1 : 0,
    TRANS_B: x.transB ? 1 : 0,
    HAS_BIAS: x.bias ? 1 : 0,
    ACCUMULATE: x.accumulate ? 1 : 0,
  };
  const common = {
    entry: 'main',
    params: [x.M, x.N, x.K],
    buffers: [x.a, x.b, x.bias ?? ctx.empty, x.out],
    flops: 2 * x.M * x.N * x.K,
  };
  switch (variant) {
    case 'gemv':
    case 'gemv-sg': {
      const sg = variant === 'gemv-sg';
      ctx.dispatch({
        ...common,
        kernel: sg ? MATMUL_GEMV_SG : MATMUL_GEMV,
        constants: { ...flags, ROWS: x.M },
        workgroups: [sg ? Math.ceil(x.N / 4) : Math.ceil(x.N / 256)],
      });
      return;
    }
    case 'bvec4': {
      ctx.dispatch({
        ...common,
        kernel: MATMUL_BVEC4,
        constants: { TRANS_A: flags.TRANS_A, HAS_BIAS: flags.HAS_BIAS, ACCUMULATE: flags.ACCUMULATE },
        workgroups: [Math.ceil(x.N / 32), Math.ceil(x.M / 32)],
      });
      return;
    }
    case 'tiled': {
      const wg = x.tiledWorkgroup ?? matmulPlan(ctx).tiledWorkgroup;
      const tile = 4 * wg;
      ctx.dispatch({
        ...common,
        kernel: MATMUL_TILED,
        constants: { ...flags, WG: wg },
        workgroups: [Math.ceil(x.N / tile), Math.ceil(x.M / tile)],
      });
      return;
    }
    default:
      ctx.dispatch({
        ...common,
        kernel: variant === 'vec4' ? MATMUL_VEC4 : MATMUL_BLOCKED,
        constants: flags,
        workgroups: [Math.ceil(x.N / 32), Math.ceil(x.M / 32)],
      });
  }
}
