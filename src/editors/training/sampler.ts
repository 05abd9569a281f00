// Which edits (and which of their probes) a training step uses: a pure function of (seed, step), so a resumed
// run sees exactly the batches an uninterrupted one would. Epochs are seeded permutations of the edits
// (sampling without replacement within an epoch, as a shuffled DataLoader does).

import type { Completion, TrainingEdit } from './data.ts';

/** One edit of a step's batch, with the generality and locality probe drawn for it this step. */
export interface StepSample {
  edit: Completion;
  generality: Completion;
  locality: Completion;
}

import { rng } from '../../util/random.ts';

/** Mixes integers into one 32-bit seed (splitmix-style), so (seed, step) pairs do not collide. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function permutation(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rand = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The `batch` samples of step `step` (0-based). Every edit needs a generality and a locality probe. */
export function sampleBatch(edits: TrainingEdit[], batch: number, seed: number, step: number): StepSample[] {
  const n = edits.length;
  if (n === 0) throw new RangeError('No training edits: the dataset is empty after tokenization.');
  const pick = rng(mixSeed(seed, step, 0x51));
  const out: StepSample[] = [];
  const orders = new Map<number, number[]>();
  const order = (epoch: number) => {
    if (!orders.has(epoch)) orders.set(epoch, permutation(n, mixSeed(seed, epoch, 0xe9)));
    return orders.get(epoch)!;
  };
  for (let i = 0; i < batch; i++) {
    const k = step * batch + i;
    const e = edits[order(Math.floor(k / n))[k % n]];
    out.push({
      edit: e.edit,
      generality: e.generality[Math.floor(pick() * e.generality.length)],
      locality: e.locality[Math.floor(pick() * e.locality.length)],
    });
  }
  return out;
}

/** A worst-case batch for warm-up: the edits with the longest sequences, each with its longest probes. */
export function longestSamples(edits: TrainingEdit[], batch: number): StepSample[] {
  const len = (c: Completion) => c.prompt.length + c.target.length;
  const longest = (cs: Completion[]) => cs.reduce((a, b) => (len(b) > len(a) ? b : a));
  const size = (e: TrainingEdit) =>
    Math.max(len(e.edit), len(longest(e.generality)), len(longest(e.locality)));
  return [...edits]
    .sort((a, b) => size(b) - size(a))
    .slice(0, batch)
    .map((e) => ({ edit: e.edit, generality: longest(e.generality), locality: longest(e.locality) }));
}

/** The longest sequence (prompt ⊕ target) of any edit or probe. */
export function maxSequenceLength(edits: TrainingEdit[]): number {
  let T = 1;
  for (const e of edits)
    for (const c of [e.edit, ...e.generality, ...e.locality])
      T = Math.max(T, c.prompt.length + c.target.length);
  return T;
}
