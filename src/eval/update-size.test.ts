// Update sizes from factors against the dense ΔW built by hand, on both routes (Gram and dense).

import { describe, expect, it } from 'vitest';
import { deltaFrobenius, frobenius, updateSize, type FactorDelta } from './update-size.ts';
import { uniformArray } from '../util/random.ts';

function dense(ds: FactorDelta[]): Float64Array {
  const { nIn, nOut } = ds[0];
  const w = new Float64Array(nIn * nOut);
  for (const d of ds)
    for (let r = 0; r < d.rank; r++)
      for (let i = 0; i < nIn; i++)
        for (let j = 0; j < nOut; j++) w[i * nOut + j] += d.left[r * nIn + i] * d.right[r * nOut + j];
  return w;
}

const delta = (rank: number, nIn: number, nOut: number, seed: number): FactorDelta => ({
  param: 'w',
  nIn,
  nOut,
  rank,
  left: uniformArray(rank * nIn, seed),
  right: uniformArray(rank * nOut, seed + 1),
});

describe('deltaFrobenius', () => {
  it('matches the dense ΔW on the Gram route (low rank) and the dense route (high rank)', () => {
    for (const ds of [
      [delta(1, 7, 5, 1)],
      [delta(2, 7, 5, 3), delta(1, 7, 5, 5)],
      [delta(9, 3, 4, 7)], // r² (nIn + nOut) > r nIn nOut: dense route
    ]) {
      expect(deltaFrobenius(ds)).toBeCloseTo(frobenius(dense(ds)), 10);
    }
  });
  it('is 0 for no delta and refuses mismatched shapes or factor sizes', () => {
    expect(deltaFrobenius([])).toBe(0);
    expect(() => deltaFrobenius([delta(1, 3, 4, 1), delta(1, 4, 4, 2)])).toThrow('4x4');
    expect(() => deltaFrobenius([{ ...delta(1, 3, 4, 1), rank: 2 }])).toThrow('rank 2');
  });
});

describe('updateSize', () => {
  it('groups by matrix, divides by ‖W‖ and reports the largest and the root sum of squares', () => {
    // Two rank-one changes: ‖[3]⊗[4]‖ = 12 on a, ‖[1]⊗[1]‖ = 1 on b.
    const a = { param: 'a', nIn: 1, nOut: 1, rank: 1, left: [3], right: [4] };
    const b = { param: 'b', nIn: 1, nOut: 1, rank: 1, left: [1], right: [1] };
    const s = updateSize([a, b], (p) => (p === 'a' ? 24 : 4));
    expect(s.perParam).toEqual({ a: 0.5, b: 0.25 });
    expect(s.max).toBe(0.5);
    expect(s.total).toBeCloseTo(Math.sqrt(0.25 + 0.0625), 14);
    // Opposite changes of the same matrix cancel.
    expect(updateSize([a, { ...a, right: [-4] }], () => 1).max).toBe(0);
    expect(() => updateSize([a], () => 0)).toThrow('norm of a');
  });
});
