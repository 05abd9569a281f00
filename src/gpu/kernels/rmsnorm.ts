import code from '../../../shaders/rmsnorm.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const RMSNORM = { name: 'rmsnorm', code };
const WORKGROUP = 64; // shaders/rmsnorm.wgsl

export interface RmsnormForwardArgs {
  inp: GPUBuffer; // (N, C)
  weight: GPUBuffer; // (C)
  /** (N, C), overwritten. */
  out: GPUBuffer;
  /** (N), overwritten: 1/√(mean(x²) + eps); saved for the backward. */
  rstd: GPUBuffer;
  N: number;
  C: number;
  eps: number;
}

/** HF LlamaRMSNorm over the last dim: out = x/√(mean(x²) + eps)·w, saving rstd per row. */
export function rmsnormForward(ctx: GpuContext, x: RmsnormForwardArgs): void {
  ctx.dispatch({
    kernel: RMSNORM,
    entry: 'rmsnorm_forward',
    params: [x.N, x.C],
    floats: [x.eps],
    buffers: [x.inp, x.weight, x.out, x.rstd],
    workgroups: [gridStrideGroups(x.N, WORKGROUP)],
  });
}

export interface RmsnormBackwardArgs {
  dout: GPUBuffer; // (N, C)
  inp: GPUBuffer; // (N, C), the forward's input
  weight: GPUBuffer; // (C)
  rstd: GPUBuffer; // (N), from the forward
  /** (N, C): accumulated into (default; the residual stream) or overwritten (`accumulate: false`). */
  dinp: GPUBuffer;
  /** (C), accumulated into; omit when no one wants the weight's gradient. */
  dweight?: GPUBuffer;
  N: number;
  C: number;
  accumulate?: boolean;
}

/** RMSNorm's backward: dinp (+)= ∂L/∂inp per row; dweight += column sums of dout·xhat (deterministic). */
export function rmsnormBackward(ctx: GpuContext, x: RmsnormBackwardArgs): void {
  ctx.dispatch({
    kernel: RMSNORM,
    entry: 'rmsnorm_backward',
    constants: { ACCUMULATE: x.accumulate === false ? 0 : 1 },
    params: [x.N, x.C],
    buffers: [x.dout, x.inp, x.weight, x.rstd, x.dinp],
    workgroups: [gridStrideGroups(x.N, WORKGROUP)],
  });
  if (!x.dweight) return;
  ctx.dispatch({
    kernel: RMSNORM,
    entry: 'rmsnorm_backward_weight',
    params: [x.N, x.C],
    buffers: [x.dout, x.inp, x.rstd, x.dweight],
    workgroups: [gridStrideGroups(x.C, WORKGROUP)],
  });
}
