import code from '../../../shaders/layernorm.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const LAYERNORM = { name: 'layernorm', code };
const WORKGROUP = 64; // shaders/layernorm.wgsl

/**
 * How a row is reduced (see shaders/layernorm.wgsl): one invocation per row, barrier-free (CPU adapters, and
 * rows too short to share), or one 64-invocation workgroup per row with a shared-memory tree (GPUs).
 */
export type LayernormVariant = 'row-per-invocation' | 'row-per-workgroup';

/** Below this width a row is too short for 64 invocations to share profitably. */
const MIN_SHARED_WIDTH = 128;

function lanesFor(ctx: GpuContext, C: number, variant?: LayernormVariant): number {
  const chosen =
    variant ?? (ctx.prefersTiled && C >= MIN_SHARED_WIDTH ? 'row-per-workgroup' : 'row-per-invocation');
  return chosen === 'row-per-workgroup' ? WORKGROUP : 1;
}

export interface LayernormForwardArgs {
  inp: GPUBuffer; // (N, C)
  weight: GPUBuffer; // (C)
  bias: GPUBuffer; // (C)
  /** (N, C), overwritten. */
  out: GPUBuffer;
  /** (N), overwritten; saved for the backward. */
  mean: GPUBuffer;
  /** (N), overwritten: 1/√(var + eps); saved for the backward. */
  rstd: GPUBuffer;
  N: number;
  C: number;
  eps: number;
  /** Defaults to the adapter's preference; tests run both. */
  variant?: LayernormVariant;
}

/** torch.nn.LayerNorm over the last dim (biased variance), saving mean and rstd per row. */
export function layernormForward(ctx: GpuContext, x: LayernormForwardArgs): void {
  const lanes = lanesFor(ctx, x.C, x.variant);
  ctx.dispatch({
    kernel: LAYERNORM,
    entry: 'layernorm_forward',
    constants: { LANES: lanes },
    params: [x.N, x.C],
    floats: [x.eps],
    buffers: [x.inp, x.weight, x.bias, x.out, x.mean, x.rstd],
    workgroups: [gridStrideGroups(x.N, WORKGROUP / lanes)],
  });
}

export interface LayernormBackwardArgs {
  dout: GPUBuffer; // (N, C)
  inp: GPUBuffer; // (N, C), the forward's input
  weight: GPUBuffer; // (C)
  mean: GPUBuffer; // (N), from the forward
  rstd: GPUBuffer; // (N), from the forward
  /** (N, C), accumulated into (it sits on the residual stream). */
  dinp: GPUBuffer;
  /** (C), accumulated into. */
  dweight: GPUBuffer;
  /** (C), accumulated into. */
  dbias: GPUBuffer;
  N: number;
  C: number;
  variant?: LayernormVariant;
}

/** LayerNorm's backward: dinp += ∂L/∂inp (row reductions), dweight/dbias += column sums (deterministic). */
export function layernormBackward(ctx: GpuContext, x: LayernormBackwardArgs): void {
  const lanes = lanesFor(ctx, x.C, x.variant);
  ctx.dispatch({
    kernel: LAYERNORM,
    entry: 'layernorm_backward',
    constants: { LANES: lanes },
    params: [x.N, x.C],
    buffers: [x.dout, x.inp, x.weight, x.mean, x.rstd, x.dinp],
    workgroups: [gridStrideGroups(x.N, WORKGROUP / lanes)],
  });
  ctx.dispatch({
    kernel: LAYERNORM,
    entry: 'layernorm_backward_params',
    params: [x.N, x.C],
    buffers: [x.dout, x.inp, x.mean, x.rstd, x.dweight, x.dbias],
    workgroups: [gridStrideGroups(x.C, WORKGROUP)],
  });
}
