// Row gather from a packed token embedding (shaders/gather_q.wgsl): the embedding lookup of models whose
// embedding / tied head stays in f16, q8_0 or q4_0 on the GPU. CPU reference: gatherPackedRowsRef in
// src/reference/quant.ts.

import code from '../../../shaders/gather_q.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';
import type { PackedFormat } from './matmul-quant.ts';

export const GATHER_Q = { name: 'gather_q', code };
const WORKGROUP = 256; // shaders/gather_q.wgsl
const FORMAT_ID: Record<PackedFormat, number> = { f16: 0, q8_0: 1, q4_0: 2 };

export interface GatherPackedRowsArgs {
  /** Packed (V, C) words. */
  w: GPUBuffer;
  /** f16 scales (q formats). */
  scales?: GPUBuffer;
  format: PackedFormat;
  idx: GPUBuffer; // (R) u32
  /** (maxT, C) f32 position rows added at r % T (GPT-2's wpe); omit for none. */
  pos?: GPUBuffer;
  /** Sequence length for `pos` (rows r = b·T + t). */
  T?: number;
  /** (R, C), overwritten. */
  out: GPUBuffer;
  R: number;
  C: number;
  V: number;
}

/** out[r] = W[idx[r]] dequantised (+ pos[r % T]); an index >= V gives a zero row. */
export function gatherPackedRows(ctx: GpuContext, x: GatherPackedRowsArgs): void {
  if (x.format !== 'f16' && !x.scales)
    throw new RangeError(`A ${x.format} embedding needs its scales buffer.`);
  if (x.pos && !(x.T && x.T > 0)) throw new RangeError('gatherPackedRows: position rows need T > 0.');
  ctx.dispatch({
    kernel: GATHER_Q,
    entry: 'main',
    constants: { FORMAT: FORMAT_ID[x.format] },
    params: [x.R, x.C, x.V, x.pos ? x.T! : 0],
    buffers: [x.w, x.scales ?? ctx.empty, x.idx, x.pos ?? ctx.empty, x.out],
    workgroups: [gridStrideGroups(x.R * x.C, WORKGROUP)],
  });
}
