import code from '../../../shaders/swiglu.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const SWIGLU = { name: 'swiglu', code };
const WORKGROUP = 256; // shaders/swiglu.wgsl

export interface SwigluForwardArgs {
  gate: GPUBuffer; // (n)
  up: GPUBuffer; // (n)
  /** (n), overwritten. */
  out: GPUBuffer;
  n: number;
}

/** out = silu(gate)·up (the input of Llama's down_proj). */
export function swigluForward(ctx: GpuContext, x: SwigluForwardArgs): void {
  ctx.dispatch({
    kernel: SWIGLU,
    entry: 'swiglu_forward',
    params: [x.n],
    buffers: [x.gate, x.up, x.out],
    workgroups: [gridStrideGroups(x.n, WORKGROUP)],
  });
}

export interface SwigluBackwardArgs {
  gate: GPUBuffer; // (n), the forward's inputs
  up: GPUBuffer; // (n)
  dout: GPUBuffer; // (n)
  /** (n), overwritten. */
  dgate: GPUBuffer;
  /** (n), overwritten. */
  dup: GPUBuffer;
  n: number;
}

/** dgate = dout·up·silu′(gate), dup = dout·silu(gate). */
export function swigluBackward(ctx: GpuContext, x: SwigluBackwardArgs): void {
  ctx.dispatch({
    kernel: SWIGLU,
    entry: 'swiglu_backward',
    params: [x.n],
    buffers: [x.gate, x.up, x.dout, x.dgate, x.dup],
    workgroups: [gridStrideGroups(x.n, WORKGROUP)],
  });
}
