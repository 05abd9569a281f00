import code from '../../../shaders/soft_targets.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { GpuLimitError } from '../errors.ts';

export const SOFT_TARGETS = { name: 'soft_targets', code };
const WORKGROUP = 256; // shaders/soft_targets.wgsl
const MAX_GROUPS = 65535;

export interface SoftTargetBackwardArgs {
  rows: GPUBuffer; // (K) u32 head rows
  weights: GPUBuffer; // (K) f32
  q: GPUBuffer; // (K, V) target distributions
  probs: GPUBuffer; // (R, V) the head's softmax
  /** (R, V), accumulated into at the K rows. */
  dlogits: GPUBuffer;
  K: number;
  V: number;
}

/** dlogits[rows[k]] += weights[k]·(probs[rows[k]] − q[k]): the gradient of Σ_k w_k·KL(q_k ‖ p) w.r.t. the logits. */
export function softTargetBackward(ctx: GpuContext, x: SoftTargetBackwardArgs): void {
  if (x.K > MAX_GROUPS)
    throw new GpuLimitError(
      `softTargetBackward: ${x.K} rows is more than one dispatch allows (${MAX_GROUPS}).`,
    );
  ctx.dispatch({
    kernel: SOFT_TARGETS,
    entry: 'soft_target_backward',
    params: [x.K, x.V],
    buffers: [x.rows, x.weights, x.q, x.probs, x.dlogits],
    workgroups: [Math.ceil(x.V / WORKGROUP), x.K],
  });
}
