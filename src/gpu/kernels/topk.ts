import code from '../../../shaders/topk.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { GpuLimitError } from '../errors.ts';

export const TOPK = { name: 'topk', code };

/** Largest k the kernel supports (KMAX in shaders/topk.wgsl: its workgroup memory holds 64 lists of KMAX). */
export const TOPK_MAX_K = 64;
const MAX_GROUPS = 65535; // maxComputeWorkgroupsPerDimension, WebGPU's default limit

export interface TopkArgs {
  values: GPUBuffer; // (R, V)
  R: number;
  V: number;
  /** 1..64, and at most V. */
  k: number;
  outIndex: GPUBuffer; // (R, k) u32 =
  outValue: GPUBuffer; // (R, k) f32 =
}

/** Per row, the k largest values and their columns, sorted descending; equal values keep the lower index first. */
export function topk(ctx: GpuContext, x: TopkArgs): void {
  const { R, V, k } = x;
  if (!(Number.isInteger(k) && k >= 1 && k <= Math.min(TOPK_MAX_K, V))) {
    throw new RangeError(
      `topk: k must be a whole number from 1 to ${Math.min(TOPK_MAX_K, V)} (V = ${V}), got ${k}.`,
    );
  }
  if (R > MAX_GROUPS) {
    throw new GpuLimitError(
      `topk: ${R} rows is more than one dispatch allows (${MAX_GROUPS}); split the batch.`,
    );
  }
  ctx.dispatch({
    kernel: TOPK,
    entry: 'topk',
    params: [R, V, k],
    buffers: [x.values, x.outIndex, x.outValue],
    workgroups: [R],
  });
}
