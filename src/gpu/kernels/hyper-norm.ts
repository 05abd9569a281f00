import code from '../../../shaders/hyper_norm.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const HYPER_NORM = { name: 'hyper_norm', code };
const WG = 64; // shaders/hyper_norm.wgsl

export interface NormStatsUpdateArgs {
  x: GPUBuffer; // (rows, C)
  /** (2, C): running mean and M2, updated in place. */
  stats: GPUBuffer;
  rows: number;
  C: number;
  /** Rows merged into `stats` before this call. */
  count: number;
}

/** Merges x's per-column mean and M2 into running statistics (parallel Welford). */
export function normStatsUpdate(ctx: GpuContext, x: NormStatsUpdateArgs): void {
  if (x.rows === 0) return;
  ctx.dispatch({
    kernel: HYPER_NORM,
    entry: 'norm_stats_update',
    params: [x.rows, x.C, 0, 0],
    floats: [x.count, 0],
    buffers: [x.x, x.stats],
    workgroups: [gridStrideGroups(x.C, WG)],
  });
}

export interface StandardizeArgs {
  x: GPUBuffer; // (rows, C)
  stats: GPUBuffer; // (2, C)
  /** (rows, ld): columns [off, off + C) are overwritten. */
  out: GPUBuffer;
  rows: number;
  C: number;
  ld: number;
  off: number;
  /** Rows behind `stats`; below 2 the copy is unnormalised. */
  count: number;
  eps: number;
}

/** out[:, off:off+C] = (x − mean) / (std + eps), MEND's standardisation with running statistics. */
export function standardize(ctx: GpuContext, x: StandardizeArgs): void {
  ctx.dispatch({
    kernel: HYPER_NORM,
    entry: 'standardize',
    params: [x.rows, x.C, x.ld, x.off],
    floats: [x.count, x.eps],
    buffers: [x.x, x.stats, x.out],
    workgroups: [gridStrideGroups(x.rows * x.C, WG)],
  });
}
