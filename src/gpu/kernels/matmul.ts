import blocked from '../../../shaders/matmul.wgsl?raw';
import tiled from '../../../shaders/matmul_tiled.wgsl?raw';
import vec4 from '../../../shaders/matmul_vec4.wgsl?raw';
import type { GpuContext } from '../context.ts';

export const MATMUL_BLOCKED = { name: 'matmul', code: blocked };
export const MATMUL_TILED = { name: 'matmul_tiled', code: tiled };
export const MATMUL_VEC4 = { name: 'matmul_vec4', code: vec4 };
/** 'blocked' = barrier-free (CPU adapters); 'vec4' = the same with vec4 loads, when the shapes allow; 'tiled' = GPUs. */
export type MatmulVariant = 'blocked' | 'vec4' | 'tiled';

/** vec4 loads need the contiguous dimension of each operand to be a multiple of 4. */
export function vec4Allowed(x: Pick<MatmulArgs, 'M' | 'N' | 'K' | 'transA' | 'transB'>): boolean {
  return x.K % 4 === 0 && (!x.transA || x.M % 4 === 0) && (x.transB || x.N % 4 === 0);
}

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
  /** Defaults to the adapter's preference; tests run both. */
  variant?: MatmulVariant;
}

/** out(M,N) = op(a)·op(b) (+ bias) (+ out). See shaders/matmul.wgsl for the layouts. */
export function matmul(ctx: GpuContext, x: MatmulArgs): void {
  const variant = x.variant ?? (ctx.prefersTiled ? 'tiled' : vec4Allowed(x) ? 'vec4' : 'blocked');
  if (variant === 'vec4' && !vec4Allowed(x))
    throw new RangeError(`matmul vec4 variant needs aligned shapes (M=${x.M} N=${x.N} K=${x.K}).`);
  const tile = variant === 'tiled' ? 64 : 32;
  ctx.dispatch({
    kernel: variant === 'tiled' ? MATMUL_TILED : variant === 'vec4' ? MATMUL_VEC4 : MATMUL_BLOCKED,
    entry: 'main',
    constants: {
      TRANS_A: x.transA ? 1 : 0,
      TRANS_B: x.transB ? 1 : 0,
      HAS_BIAS: x.bias ? 1 : 0,
      ACCUMULATE: x.accumulate ? 1 : 0,
    },
    params: [x.M, x.N, x.K],
    buffers: [x.a, x.b, x.bias ?? ctx.empty, x.out],
    workgroups: [Math.ceil(x.N / tile), Math.ceil(x.M / tile)],
    flops: 2 * x.M * x.N * x.K,
  });
}
