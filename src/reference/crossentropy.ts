// CPU reference for shaders/crossentropy.wgsl: row softmax, and softmax + cross-entropy with a per-row weight
// (torch.nn.functional.cross_entropy(reduction='none') times the weight), forward and backward. Plain loops in
// f64; outputs are Float64Array so finite differences of the forward can validate the backward.

/** softmax(logits[r] / temperature) for each of the R rows of a (R, V) matrix, max-subtracted. */
export function softmaxRowsRef(
  logits: ArrayLike<number>,
  R: number,
  V: number,
  temperature = 1,
): Float64Array {
  const probs = new Float64Array(R * V);
  for (let r = 0; r < R; r++) {
    let max = -Infinity;
    for (let i = 0; i < V; i++) max = Math.max(max, logits[r * V + i] / temperature);
    let sum = 0;
    for (let i = 0; i < V; i++) sum += probs[r * V + i] = Math.exp(logits[r * V + i] / temperature - max);
    for (let i = 0; i < V; i++) probs[r * V + i] /= sum;
  }
  return probs;
}

/**
 * probs (R, V) = softmax(logits); losses (R) = weights[r]·(−log probs[r, targets[r]]), exactly 0 where the
 * weight is 0 and NaN where a weighted target is outside the vocabulary (the GPU kernel does the same).
 */
export function softmaxCrossEntropyForwardRef(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  R: number,
  V: number,
): { probs: Float64Array; losses: Float64Array } {
  const probs = softmaxRowsRef(logits, R, V);
  const losses = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    if (weights[r] === 0) continue;
    // −log p_target = logsumexp(x) − x_target, which stays finite where p_target underflows.
    let max = -Infinity;
    for (let i = 0; i < V; i++) max = Math.max(max, logits[r * V + i]);
    let sum = 0;
    for (let i = 0; i < V; i++) sum += Math.exp(logits[r * V + i] - max);
    const t = targets[r];
    losses[r] = t < V ? weights[r] * (max + Math.log(sum) - logits[r * V + t]) : NaN;
  }
  return { probs, losses };
}

/** dlogits (R, V) = weights[r]·(probs[r] − onehot(targets[r])): the gradient of Σ_r losses[r]. */
export function softmaxCrossEntropyBackwardRef(
  probs: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  R: number,
  V: number,
): Float64Array {
  const dlogits = new Float64Array(R * V);
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < V; i++) {
      dlogits[r * V + i] = weights[r] * (probs[r * V + i] - (i === targets[r] ? 1 : 0));
    }
  }
  return dlogits;
}
