import { describe, expect, it } from 'vitest';
import {
  softmaxCrossEntropyBackwardRef,
  softmaxCrossEntropyForwardRef,
  softmaxRowsRef,
} from '../../reference/crossentropy.ts';
import { expectClose, randomArray, testContext } from '../testing.ts';
import { softmaxCrossEntropyBackward, softmaxCrossEntropyForward, softmaxRows } from './crossentropy.ts';

// V = 7 (< one workgroup), 1000 (not a multiple of 256), 50257 (GPT-2's vocabulary); R = 1 and odd counts.
const SIZES: [number, number][] = [
  [1, 7],
  [5, 7],
  [3, 1000],
  [2, 50257],
];

/** Logits of scale ±8 with one row shifted by +1000, so an unstable (not max-subtracted) softmax overflows. */
function makeLogits(R: number, V: number): Float32Array {
  const logits = randomArray(R * V, R * 7 + V, 8);
  for (let i = 0; i < V; i++) logits[(R - 1) * V + i] += 1000;
  return logits;
}

describe('softmax + cross-entropy', () => {
  it.each(SIZES)('forward and backward match the CPU reference, R=%i V=%i', async (R, V) => {
    const ctx = await testContext();
    const logitsData = makeLogits(R, V);
    const targetsData = Uint32Array.from({ length: R }, (_, r) => (r * 7919 + 3) % V);
    const weightsData = Float32Array.from({ length: R }, (_, r) => [1, 0, 0.5, 2, 1][r % 5]);
    const logits = ctx.upload('logits', logitsData);
    const targets = ctx.upload('targets', targetsData);
    const weights = ctx.upload('weights', weightsData);
    const probs = ctx.upload('probs', randomArray(R * V, 1, 50)); // garbage: must be overwritten
    const losses = ctx.upload('losses', randomArray(R, 2, 50));
    const dlogits = ctx.upload('dlogits', randomArray(R * V, 3, 50));

    softmaxCrossEntropyForward(ctx, { logits, targets, weights, probs, losses, R, V });
    softmaxCrossEntropyBackward(ctx, { probs, targets, weights, dlogits, R, V });

    const want = softmaxCrossEntropyForwardRef(logitsData, targetsData, weightsData, R, V);
    const gotProbs = await ctx.read(probs);
    expectClose(`R=${R} V=${V} probs`, gotProbs, want.probs, 1e-7, 1e-4);
    expectClose(`R=${R} V=${V} losses`, await ctx.read(losses), want.losses);
    const wantD = softmaxCrossEntropyBackwardRef(want.probs, targetsData, weightsData, R, V);
    expectClose(`R=${R} V=${V} dlogits`, await ctx.read(dlogits), wantD, 1e-7, 1e-4);
    [logits, targets, weights, probs, losses, dlogits].forEach((b) => b.destroy());
  });

  it('gives a NaN loss for a weighted target outside the vocabulary and 0 for an ignored one', async () => {
    const ctx = await testContext();
    const V = 7;
    const logits = ctx.upload('logits', randomArray(2 * V, 4));
    const targets = ctx.upload('targets', Uint32Array.from([V, V + 100]));
    const weights = ctx.upload('weights', Float32Array.from([1, 0]));
    const probs = ctx.buffer('probs', 2 * V * 4);
    const losses = ctx.buffer('losses', 2 * 4);
    softmaxCrossEntropyForward(ctx, { logits, targets, weights, probs, losses, R: 2, V });
    const got = await ctx.read(losses);
    expect(got[0]).toBeNaN();
    expect(got[1]).toBe(0);
    [logits, targets, weights, probs, losses].forEach((b) => b.destroy());
  });
});

describe('softmaxRows', () => {
  it.each(SIZES)('matches the CPU reference at temperatures 1 and 0.7, R=%i V=%i', async (R, V) => {
    const ctx = await testContext();
    const logitsData = makeLogits(R, V);
    const logits = ctx.upload('logits', logitsData);
    const probs = ctx.upload('probs', randomArray(R * V, 5, 50));
    for (const temperature of [1, 0.7]) {
      softmaxRows(ctx, { logits, probs, R, V, temperature: temperature === 1 ? undefined : temperature });
      const want = softmaxRowsRef(logitsData, R, V, temperature);
      expectClose(`R=${R} V=${V} T=${temperature}`, await ctx.read(probs), want, 1e-7, 1e-4);
    }
    [logits, probs].forEach((b) => b.destroy());
  });

  it('refuses a temperature that is not a positive number', async () => {
    const ctx = await testContext();
    for (const temperature of [0, -1, NaN, Infinity]) {
      expect(() =>
        softmaxRows(ctx, { logits: ctx.empty, probs: ctx.empty, R: 1, V: 1, temperature }),
      ).toThrow(/temperature must be a positive number/);
    }
  });
});
