// Free-running sampled continuations for the generation view: temperature and nucleus (top-p) sampling with a
// seeded PRNG, so a link with the same seed gives the same text. `without` samples from the model with the
// applied edits of that request taken out (the "before" side), put back afterwards even on error.

import type { EditSession } from '../engine/session.ts';
import type { EditRequest } from '../engine/types.ts';
import { rng } from '../util/random.ts';

export interface SampleInput {
  prompt: string;
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  without?: EditRequest;
}

/** Draws one token id from p^(1/T), restricted to the smallest set whose mass reaches topP. */
export function drawToken(p: ArrayLike<number>, temperature: number, topP: number, u: number): number {
  const t = Math.max(1e-3, temperature);
  const w: { id: number; w: number }[] = [];
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const x = p[i] > 0 ? Math.pow(p[i], 1 / t) : 0;
    if (x > 0) w.push({ id: i, w: x });
    total += x;
  }
  w.sort((a, b) => b.w - a.w || a.id - b.id);
  let kept = 0;
  let n = 0;
  while (n < w.length && (n === 0 || kept / total < topP)) kept += w[n++].w;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += w[i].w / kept;
    if (u < acc) return w[i].id;
  }
  return w[n - 1].id;
}

export async function sampleText(session: EditSession, input: SampleInput): Promise<string> {
  const suspended = input.without ? session.suspendMatching(input.without) : [];
  try {
    const { model, tokenizer } = session.view;
    const seq = session.encodePrompt(input.prompt);
    const out: number[] = [];
    const random = rng(input.seed >>> 0);
    const room = Math.min(Math.max(1, Math.floor(input.maxTokens)), 64, model.dims.nPositions - seq.length);
    for (let i = 0; i < room; i++) {
      const [p] = await model.nextTokenDistributions([seq]);
      const next = drawToken(p, input.temperature, Math.min(1, Math.max(0.01, input.topP)), random());
      if (next === tokenizer.eosId) break;
      seq.push(next);
      out.push(next);
    }
    return tokenizer.decode(out);
  } finally {
    if (suspended.length) session.resume();
  }
}
