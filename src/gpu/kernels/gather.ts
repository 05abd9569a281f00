import code from '../../../shaders/gather.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const GATHER = { name: 'gather', code };
const WORKGROUP = 256; // shaders/gather.wgsl

export interface GatherRowsArgs {
  inp: GPUBuffer; // (N, C)
  idx: GPUBuffer; // (R) u32
  /** (R, C), overwritten. */
  out: GPUBuffer;
  R: number;
  C: number;
}

/** out[r] = inp[idx[r]] (torch.index_select along dim 0); an index >= N gives a zero row. */
export function gatherRows(ctx: GpuContext, x: GatherRowsArgs): void {
  ctx.dispatch({
    kernel: GATHER,
    entry: 'gather_rows',
    params: [x.R, x.C],
    buffers: [x.inp, x.idx, x.out],
    workgroups: [gridStrideGroups(x.R * x.C, WORKGROUP)],
  });
}

export interface ScatterAddRowsArgs {
  dout: GPUBuffer; // (R, C)
  /** (R) u32, pairwise distinct (repeated indices would race). */
  idx: GPUBuffer;
  /** (N, C), accumulated into. */
  dinp: GPUBuffer;
  R: number;
  C: number;
}

/** dinp[idx[r]] += dout[r], the backward of gatherRows; an index >= N is skipped. */
export function scatterAddRows(ctx: GpuContext, x: ScatterAddRowsArgs): void {
  ctx.dispatch({
    kernel: GATHER,
    entry: 'scatter_add_rows',
    params: [x.R, x.C],
    buffers: [x.dout, x.idx, x.dinp],
    workgroups: [gridStrideGroups(x.R * x.C, WORKGROUP)],
  });
}
