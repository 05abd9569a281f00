import { describe, expect, it } from 'vitest';
import { generateCached, sampleWithTemperature, type CachedDecoder } from './decode-loop.ts';

/** A decoder over a fixed next-token rule that records what it was fed, and checks positions are contiguous. */
function fakeDecoder(next: (lastToken: number) => number) {
  const calls: { tokens: number[]; pos0: number }[] = [];
  let cached = 0;
  const feed = (tokens: number[], pos0: number) => {
    expect(pos0).toBe(cached); // each call continues where the cache ends
    cached += tokens.length;
    calls.push({ tokens, pos0 });
    return next(tokens[tokens.length - 1]);
  };
  const decoder: CachedDecoder = {
    greedy: async (tokens, pos0) => feed(tokens, pos0),
    distribution: async (tokens, pos0) => {
      const p = new Float32Array(10);
      p[feed(tokens, pos0)] = 1;
      return p;
    },
  };
  return { decoder, calls };
}

describe('generateCached', () => {
  it('prefills the prompt once, then feeds one token per step', async () => {
    const { decoder, calls } = fakeDecoder((t) => (t + 1) % 10);
    expect(await generateCached(decoder, [3, 4, 5], 4, 100)).toEqual([6, 7, 8, 9]);
    expect(calls).toEqual([
      { tokens: [3, 4, 5], pos0: 0 },
      { tokens: [6], pos0: 3 },
      { tokens: [7], pos0: 4 },
      { tokens: [8], pos0: 5 },
    ]);
  });

  it('stops at stopId (not emitted) and at the context length', async () => {
    expect(await generateCached(fakeDecoder((t) => t + 1).decoder, [1], 9, 100, { stopId: 4 })).toEqual([
      2, 3,
    ]);
    expect(await generateCached(fakeDecoder((t) => t + 1).decoder, [1, 2], 9, 5)).toEqual([3, 4, 5]);
    await expect(generateCached(fakeDecoder((t) => t).decoder, [], 3, 10)).rejects.toThrow(
      /at least one token/,
    );
  });

  it("samples through the decoder's distribution (one-hot here, so the draw is determined)", async () => {
    const { decoder } = fakeDecoder((t) => (t * 3 + 1) % 10);
    expect(await generateCached(decoder, [2], 3, 100, { temperature: 0.7, seed: 5 })).toEqual([7, 2, 7]);
  });
});

describe('sampleWithTemperature', () => {
  it('inverts the cumulative distribution of p^(1/T)', () => {
    const p = Float32Array.of(0.25, 0.25, 0.5);
    expect([0, 0.24, 0.26, 0.49, 0.51, 0.999].map((u) => sampleWithTemperature(p, 1, u))).toEqual([
      0, 0, 1, 1, 2, 2,
    ]);
    // T = 0.5 squares the weights: 1/16, 1/16, 1/4, i.e. 1/6, 1/6, 4/6 after renormalising.
    expect([0.16, 0.17, 0.34].map((u) => sampleWithTemperature(p, 0.5, u))).toEqual([0, 1, 2]);
  });
});
