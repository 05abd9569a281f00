// Turning token sequences into the engine's padded batch and the rows the head computes (every architecture).

import type { HeadRow, TokenBatch } from './language-model.ts';

export type { HeadRow, TokenBatch };

export function makeBatch(sequences: number[][], maxT: number): TokenBatch {
  if (sequences.length === 0) throw new Error('Empty batch: give at least one sequence.');
  const T = Math.max(...sequences.map((s) => s.length));
  if (T === 0) throw new Error('A sequence is empty: every prompt needs at least one token.');
  if (T > maxT)
    throw new Error(`A sequence has ${T} tokens; this model's context is ${maxT}. Shorten the prompt.`);
  const B = sequences.length;
  const ids = new Uint32Array(B * T);
  sequences.forEach((s, b) => ids.set(s, b * T));
  return { B, T, ids, lengths: sequences.map((s) => s.length) };
}

/** One row per sequence: its last token (next-token prediction). */
export function lastTokenRows(batch: TokenBatch): HeadRow[] {
  return batch.lengths.map((len, b) => ({ row: b * batch.T + len - 1, target: 0, weight: 0 }));
}

/** Language-model rows: every position that has a next token, weighted so the loss is the mean NLL. */
export function languageModelRows(batch: TokenBatch): HeadRow[] {
  const rows: HeadRow[] = [];
  batch.lengths.forEach((len, b) => {
    for (let t = 0; t + 1 < len; t++)
      rows.push({ row: b * batch.T + t, target: batch.ids[b * batch.T + t + 1], weight: 1 });
  });
  rows.forEach((r) => (r.weight = 1 / rows.length));
  return rows;
}

/**
 * Teacher-forced rows for a completion: sequence b = prompt ⊕ target; rows predict each target token.
 * `promptLengths[b]` is the prompt's token count. Weights: mean over the target tokens of each sequence,
 * then mean over sequences (the editing papers' per-example mean NLL).
 */
export function completionRows(batch: TokenBatch, promptLengths: number[], scale = 1): HeadRow[] {
  const rows: HeadRow[] = [];
  batch.lengths.forEach((len, b) => {
    const p = promptLengths[b];
    const n = len - p;
    if (p < 1 || n < 1) throw new Error('A completion needs at least one prompt token and one target token.');
    for (let t = p - 1; t < len - 1; t++) {
      rows.push({
        row: b * batch.T + t,
        target: batch.ids[b * batch.T + t + 1],
        weight: scale / (n * batch.B),
      });
    }
  });
  return rows;
}
