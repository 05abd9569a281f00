import code from '../../../shaders/kl_rows.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { GpuLimitError } from '../errors.ts';

export const KL_ROWS = { name: 'kl_rows', code };
const MAX_GROUPS = 65535;

export interface KlRowsArgs {
  rows: GPUBuffer; // (K) u32 head rows
  weights: GPUBuffer; // (K) f32
  q: GPUBuffer; // (K, V) target distributions
  probs: GPUBuffer; // (R, V) the head's softmax
  out: GPUBuffer; // (K) = weights[k]·KL(q[k] ‖ probs[rows[k]])
  K: number;
  V: number;
}

/** out[k] = weights[k]·KL(q[k] ‖ probs[rows[k]]): the value whose logit gradient softTargetBackward records. */
export function klRows(ctx: GpuContext, x: KlRowsArgs): void {
  if (x.K > MAX_GROUPS)
    throw new GpuLimitError(`klRows: ${x.K} rows is more than one dispatch allows (${MAX_GROUPS}).`);
  ctx.dispatch({
    kernel: KL_ROWS,
    entry: 'kl_rows',
    params: [x.K, x.V],
    buffers: [x.rows, x.weights, x.q, x.probs, x.out],
    workgroups: [x.K],
  });
}
