// CPU reference for shaders/soft_targets.wgsl, plus the loss it differentiates (for a finite-difference check):
// KL(q ‖ softmax(z)) = Σ_i q_i (log q_i − log softmax(z)_i), whose gradient w.r.t. z is softmax(z) − q. f64.

/** Returns dlogits (R, V) with w_k·(probs[rows[k]] − q[k]) added at the K rows. */
export function softTargetBackwardRef(
  rows: ArrayLike<number>,
  weights: ArrayLike<number>,
  q: ArrayLike<number>,
  probs: ArrayLike<number>,
  dlogits: ArrayLike<number>,
  V: number,
): Float64Array {
  const out = Float64Array.from(dlogits);
  for (let k = 0; k < rows.length; k++)
    for (let i = 0; i < V; i++) out[rows[k] * V + i] += weights[k] * (probs[rows[k] * V + i] - q[k * V + i]);
  return out;
}

/** KL(q ‖ softmax(logits)) for one row, with 0·log 0 = 0. */
export function klToSoftmaxRef(q: ArrayLike<number>, logits: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const logZ = max + Math.log(sum);
  let kl = 0;
  for (let i = 0; i < q.length; i++) if (q[i] > 0) kl += q[i] * (Math.log(q[i]) - (logits[i] - logZ));
  return kl;
}
