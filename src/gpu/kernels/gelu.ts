import code from '../../../shaders/gelu.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const GELU = { name: 'gelu', code };
const WORKGROUP = 256; // shaders/gelu.wgsl

export interface GeluForwardArgs {
  inp: GPUBuffer; // (n)
  /** (n), overwritten. */
  out: GPUBuffer;
  n: number;
}

/** out = GELU(inp), GPT-2's tanh approximation (torch gelu(approximate='tanh')). */
export function geluForward(ctx: GpuContext, x: GeluForwardArgs): void {
  ctx.dispatch({
    kernel: GELU,
    entry: 'gelu_forward',
    params: [x.n],
    buffers: [x.inp, x.out],
    workgroups: [gridStrideGroups(x.n, WORKGROUP)],
  });
}

export interface GeluBackwardArgs {
  /** (n), the forward's input (tanh is recomputed from it). */
  inp: GPUBuffer;
  dout: GPUBuffer; // (n)
  /** (n), overwritten. */
  dinp: GPUBuffer;
  n: number;
}

/** dinp = GELU'(inp)·dout. */
export function geluBackward(ctx: GpuContext, x: GeluBackwardArgs): void {
  ctx.dispatch({
    kernel: GELU,
    entry: 'gelu_backward',
    params: [x.n],
    buffers: [x.inp, x.dout, x.dinp],
    workgroups: [gridStrideGroups(x.n, WORKGROUP)],
  });
}
