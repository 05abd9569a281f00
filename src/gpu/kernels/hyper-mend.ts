import code from '../../../shaders/hyper_mend.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const HYPER_MEND = { name: 'hyper_mend', code };
const WG = 64; // shaders/hyper_mend.wgsl

export interface AffineReluResidualForwardArgs {
  x: GPUBuffer; // (N, D) the block's input (residual branch)
  a: GPUBuffer; // (N, D) U V x + b
  s: GPUBuffer; // (D)
  o: GPUBuffer; // (D)
  /** (N, D), overwritten; must not alias x or a. */
  y: GPUBuffer;
  N: number;
  D: number;
}

/** y = x + ReLU(s ⊙ a + o): the nonlinear half of one MEND residual block. */
export function affineReluResidualForward(ctx: GpuContext, x: AffineReluResidualForwardArgs): void {
  ctx.dispatch({
    kernel: HYPER_MEND,
    entry: 'affine_relu_residual_forward',
    params: [x.N, x.D],
    buffers: [x.x, x.a, x.s, x.o, x.y],
    workgroups: [gridStrideGroups(x.N * x.D, WG)],
  });
}

export interface AffineReluResidualBackwardArgs {
  dy: GPUBuffer; // (N, D)
  a: GPUBuffer; // (N, D) from the forward
  s: GPUBuffer; // (D)
  o: GPUBuffer; // (D)
  /** (N, D), overwritten: ∂L/∂a. (∂L/∂x = dy: the caller routes the residual.) */
  da: GPUBuffer;
  /** (D), accumulated into. */
  ds: GPUBuffer;
  /** (D), accumulated into. */
  dO: GPUBuffer;
  N: number;
  D: number;
}

export function affineReluResidualBackward(ctx: GpuContext, x: AffineReluResidualBackwardArgs): void {
  ctx.dispatch({
    kernel: HYPER_MEND,
    entry: 'affine_relu_residual_backward',
    params: [x.N, x.D],
    buffers: [x.dy, x.a, x.s, x.o, x.da],
    workgroups: [gridStrideGroups(x.N * x.D, WG)],
  });
  ctx.dispatch({
    kernel: HYPER_MEND,
    entry: 'affine_relu_residual_backward_params',
    params: [x.N, x.D],
    buffers: [x.dy, x.a, x.s, x.o, x.ds, x.dO],
    workgroups: [gridStrideGroups(x.D, WG)],
  });
}
