import { describe, expect, it } from 'vitest';
import { topkRef } from '../../reference/topk.ts';
import { randomArray, testContext } from '../testing.ts';
import { topk } from './topk.ts';

type Case = { R: number; V: number; k: number; make: (n: number, seed: number) => Float32Array };

const random = (n: number, seed: number) => randomArray(n, seed);
/** Values on a grid of 0.01: hundreds of exact ties, so the lower-index rule decides most places. */
const coarse = (n: number, seed: number) => randomArray(n, seed).map((x) => Math.round(x * 100) / 100);
/** Ascending: every column beats all earlier ones, the worst case for the insertion phase. */
const ascending = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 1e-3);
const constant = (n: number) => new Float32Array(n).fill(0.5);
/** The best values all sit in columns ≡ 5 (mod 64): one invocation's list holds the whole answer. */
const oneLane = (n: number, seed: number) =>
  randomArray(n, seed).map((x, i) => (i % 64 === 5 ? 10 + i * 1e-3 : x));
/** Mostly -Infinity (masked logits), fewer finite values than k in some rows. */
const masked = (n: number, seed: number) =>
  randomArray(n, seed).map((x, i) => (i % 97 === 0 ? x : -Infinity));

const CASES: Case[] = [
  { R: 1, V: 7, k: 1, make: random },
  { R: 3, V: 7, k: 7, make: coarse },
  { R: 2, V: 1000, k: 64, make: coarse },
  { R: 5, V: 1000, k: 10, make: random },
  { R: 1, V: 1000, k: 64, make: constant },
  { R: 2, V: 1000, k: 33, make: masked },
  { R: 2, V: 50257, k: 64, make: coarse },
  { R: 3, V: 50257, k: 5, make: random },
  { R: 1, V: 50257, k: 64, make: ascending },
  { R: 2, V: 50257, k: 64, make: oneLane },
];

describe('topk', () => {
  it.each(CASES)(
    'matches the CPU reference exactly, R=$R V=$V k=$k $make.name',
    async ({ R, V, k, make }) => {
      const ctx = await testContext();
      const data = make(R * V, R * 131 + V + k);
      const values = ctx.upload('values', data);
      const outIndex = ctx.upload('outIndex', new Uint32Array(R * k).fill(12345)); // garbage: overwritten
      const outValue = ctx.upload('outValue', new Float32Array(R * k).fill(-7));
      topk(ctx, { values, R, V, k, outIndex, outValue });
      const want = topkRef(data, R, V, k);
      expect(Array.from(await ctx.readU32(outIndex))).toEqual(Array.from(want.index));
      expect(Array.from(await ctx.read(outValue))).toEqual(Array.from(want.value));
      [values, outIndex, outValue].forEach((b) => b.destroy());
    },
  );

  it('refuses k outside 1..min(64, V)', async () => {
    const ctx = await testContext();
    const args = { values: ctx.empty, R: 1, outIndex: ctx.empty, outValue: ctx.empty };
    for (const [V, k] of [
      [100, 0],
      [100, 65],
      [5, 6],
      [100, 2.5],
    ]) {
      expect(() => topk(ctx, { ...args, V, k })).toThrow(/k must be a whole number/);
    }
  });
});
