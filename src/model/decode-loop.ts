// The generation loop every architecture shares: prefill the prompt once, then feed one token per step to a
// decoder that keeps a KV cache. Greedy picks come from the GPU's top-1; sampling reads the distribution.

import type { GenerateOptions } from './language-model.ts';

/** One architecture's cached decoding of a single sequence. */
export interface CachedDecoder {
  /** Appends `tokens` at positions pos0.. to the cache; returns the most likely next token. */
  greedy(tokens: number[], pos0: number): Promise<number>;
  /** Appends `tokens` at positions pos0.. to the cache; returns the next-token distribution (V). */
  distribution(tokens: number[], pos0: number): Promise<Float32Array>;
}

/** Greedy (temperature 0) or sampled continuation of `ids` by up to `maxTokens` tokens, within `nPositions`. */
export async function generateCached(
  decoder: CachedDecoder,
  ids: number[],
  maxTokens: number,
  nPositions: number,
  opts: GenerateOptions = {},
): Promise<number[]> {
  if (ids.length === 0) throw new Error('A prompt needs at least one token to continue.');
  const out: number[] = [];
  let rng = (opts.seed ?? 1) >>> 0;
  let pending = ids;
  let pos0 = 0;
  for (let i = 0; i < maxTokens && ids.length + out.length < nPositions; i++) {
    let next: number;
    if (!opts.temperature) {
      next = await decoder.greedy(pending, pos0);
    } else {
      const p = await decoder.distribution(pending, pos0);
      rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
      next = sampleWithTemperature(p, opts.temperature, rng / 2 ** 32);
    }
    pos0 += pending.length;
    if (next === opts.stopId) break;
    out.push(next);
    pending = [next];
  }
  return out;
}

/** Samples from p^(1/temperature) renormalised, with a uniform draw u in [0, 1). */
export function sampleWithTemperature(p: Float32Array, temperature: number, u: number): number {
  let total = 0;
  const w = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) total += w[i] = Math.pow(p[i], 1 / temperature);
  let acc = 0;
  for (let i = 0; i < p.length; i++) {
    acc += w[i] / total;
    if (u < acc) return i;
  }
  return p.length - 1;
}
