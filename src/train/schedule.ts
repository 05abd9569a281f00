// Learning-rate schedule and a seeded epoch order, both pure functions of the step so a resumed run replays
// exactly the batches an uninterrupted one would have seen.

import { rng } from '../util/random.ts';

export { rng };

/** Linear warm-up, then cosine decay to `minRatio`·lr at `totalSteps` (nanoGPT's get_lr). */
export function learningRate(
  step: number,
  lr: number,
  warmup: number,
  totalSteps: number,
  minRatio = 0.1,
): number {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, totalSteps - warmup));
  return lr * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** The permutation of `n` items used in `epoch` (Fisher–Yates with a per-epoch seed). */
export function epochOrder(n: number, seed: number, epoch: number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const rand = rng(seed * 1_000_003 + epoch);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The sequence indices of global step `step` with `batch` sequences per step. */
export function batchIndices(n: number, batch: number, seed: number, step: number): number[] {
  const perEpoch = Math.floor(n / batch);
  if (perEpoch < 1) throw new Error(`The batch size ${batch} is larger than the corpus (${n} sequences).`);
  const epoch = Math.floor(step / perEpoch);
  const order = epochOrder(n, seed, epoch);
  const start = (step % perEpoch) * batch;
  return Array.from(order.subarray(start, start + batch));
}
