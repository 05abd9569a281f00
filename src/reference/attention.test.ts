// Validates the attention oracle itself: its backward against central finite differences of its forward, and
// its forward against properties that hold without any reference (T = 1 copies v; causality; rows sum to 1).

import { describe, expect, it } from 'vitest';
import { randomArray } from '../gpu/testing.ts';
import { attentionBackwardRef, attentionForwardRef, type AttentionShape } from './attention.ts';

const SHAPE: AttentionShape = { B: 2, T: 4, C: 6, NH: 2 }; // hs = 3

/** Σ w ⊙ out: a scalar loss whose gradient with respect to out is w. */
function loss(qkv: Float64Array, w: Float32Array, shape: AttentionShape): number {
  const { out } = attentionForwardRef(qkv, shape);
  return out.reduce((s, o, i) => s + o * w[i], 0);
}

describe('attention reference', () => {
  it('backward matches central finite differences of the forward', () => {
    const { B, T, C } = SHAPE;
    const qkv = Float64Array.from(randomArray(B * T * 3 * C, 11, 1.5));
    const w = randomArray(B * T * C, 12);
    const { att } = attentionForwardRef(qkv, SHAPE);
    const dqkv = attentionBackwardRef(w, qkv, att, SHAPE);
    const eps = 1e-5;
    let worst = 0;
    for (let i = 0; i < qkv.length; i++) {
      const x = qkv[i];
      qkv[i] = x + eps;
      const up = loss(qkv, w, SHAPE);
      qkv[i] = x - eps;
      const down = loss(qkv, w, SHAPE);
      qkv[i] = x;
      worst = Math.max(worst, Math.abs((up - down) / (2 * eps) - dqkv[i]));
    }
    expect(worst).toBeLessThan(1e-7);
    // The last position's key and value receive gradient only from the last query: not identically zero.
    expect(dqkv.some((g) => Math.abs(g) > 1e-3)).toBe(true);
  });

  it('is causal, copies v at T = 1, and saves normalized probabilities with zeros above the diagonal', () => {
    const { B, T, C, NH } = SHAPE;
    const qkv = Float64Array.from(randomArray(B * T * 3 * C, 5));
    const { out, att } = attentionForwardRef(qkv, SHAPE);
    for (let r = 0; r < B * NH * T; r++) {
      const t = r % T;
      const row = att.subarray(r * T, (r + 1) * T);
      expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
      for (let j = t + 1; j < T; j++) expect(row[j]).toBe(0);
    }
    // Changing the last position (any of q, k, v) leaves every earlier output untouched.
    const changed = Float64Array.from(qkv);
    for (let i = (T - 1) * 3 * C; i < T * 3 * C; i++) changed[i] += 1;
    const after = attentionForwardRef(changed, SHAPE).out;
    for (let t = 0; t < T - 1; t++) {
      for (let c = 0; c < C; c++) expect(after[t * C + c]).toBe(out[t * C + c]);
    }
    const one = attentionForwardRef(qkv.subarray(0, 3 * C), { B: 1, T: 1, C, NH });
    expect(Array.from(one.out)).toEqual(Array.from(qkv.subarray(2 * C, 3 * C)));
  });
});
