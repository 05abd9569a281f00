import code from '../../../shaders/embedding.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const EMBEDDING = { name: 'embedding', code };
const WORKGROUP = 256; // shaders/embedding.wgsl

export interface EmbeddingForwardArgs {
  ids: GPUBuffer; // (N) u32, N = B·T
  wte: GPUBuffer; // (V, C)
  wpe: GPUBuffer; // (maxT, C), maxT >= T
  /** (N, C), overwritten. */
  out: GPUBuffer;
  N: number;
  T: number;
  C: number;
}

/** out[n] = wte[ids[n]] + wpe[n % T]; an id >= V contributes a zero row. */
export function embeddingForward(ctx: GpuContext, x: EmbeddingForwardArgs): void {
  ctx.dispatch({
    kernel: EMBEDDING,
    entry: 'embedding_forward',
    params: [x.N, x.T, x.C],
    buffers: [x.ids, x.wte, x.wpe, x.out],
    workgroups: [gridStrideGroups(x.N * x.C, WORKGROUP)],
  });
}

export interface EmbeddingBackwardArgs {
  ids: GPUBuffer; // (N) u32
  dout: GPUBuffer; // (N, C)
  /** (V, C), accumulated into. */
  dwte: GPUBuffer;
  /** (maxT, C), accumulated into (rows 0..T-1). */
  dwpe: GPUBuffer;
  N: number;
  T: number;
  C: number;
}

/** dwte[ids[n]] += dout[n], dwpe[n % T] += dout[n]; deterministic (fixed summation order, no atomics). */
export function embeddingBackward(ctx: GpuContext, x: EmbeddingBackwardArgs): void {
  ctx.dispatch({
    kernel: EMBEDDING,
    entry: 'embedding_backward',
    params: [x.N, x.T, x.C],
    buffers: [x.ids, x.dout, x.dwte, x.dwpe],
    workgroups: [gridStrideGroups(x.C + x.T * x.C, WORKGROUP)],
  });
}
