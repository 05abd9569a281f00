// UltraEdit's and AlphaEdit's closed forms against their dense definitions and the properties they promise.

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../model/testing.ts';
import {
  addKeyOuterProducts,
  alphaEditFactors,
  luSolve,
  nullSpaceProjector,
  RunningMeanStd,
  ultraEditFactors,
} from './lifelong-math.ts';

/** ΔW (nIn, nOut) = leftᵀ · right. */
function dense(left: ArrayLike<number>, right: ArrayLike<number>, r: number, nIn: number, nOut: number) {
  const W = new Float64Array(nIn * nOut);
  for (let t = 0; t < r; t++)
    for (let i = 0; i < nIn; i++)
      for (let j = 0; j < nOut; j++) W[i * nOut + j] += left[t * nIn + i] * right[t * nOut + j];
  return W;
}

/** x (nIn) · W (nIn, nOut) */
function apply(x: ArrayLike<number>, W: ArrayLike<number>, nIn: number, nOut: number, at = 0) {
  const y = new Float64Array(nOut);
  for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) y[j] += x[at + i] * W[i * nOut + j];
  return y;
}

describe('RunningMeanStd', () => {
  it('merging batches gives the mean and sample std of all rows', () => {
    const x = seededRandom(7 * 3, 1);
    const s = new RunningMeanStd(3);
    s.update(x.subarray(0, 3), 1);
    s.update(x.subarray(3, 12), 3);
    s.update(x.subarray(12), 3);
    for (let j = 0; j < 3; j++) {
      const col = Array.from({ length: 7 }, (_, b) => x[b * 3 + j]);
      const mean = col.reduce((a, b) => a + b) / 7;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / 6);
      expect(s.mean[j]).toBeCloseTo(mean, 12);
      expect(s.std(j)).toBeCloseTo(std, 12);
    }
    expect(s.n).toBe(7);
    expect(() => s.update([1, 2], 1)).toThrow();
  });
});

describe('ultraEditFactors', () => {
  it('equals the dense ridge solution (UᵀU + I)⁻¹ Uᵀ V', () => {
    const [N, nIn, nOut, lr] = [3, 6, 4, 0.01];
    const u = seededRandom(N * nIn, 2);
    const d = seededRandom(N * nOut, 3);
    const norm = new RunningMeanStd(nIn + nOut);
    const z = new Float64Array(N * (nIn + nOut));
    for (let t = 0; t < N; t++) {
      z.set(u.subarray(t * nIn, (t + 1) * nIn), t * (nIn + nOut));
      z.set(d.subarray(t * nOut, (t + 1) * nOut), t * (nIn + nOut) + nIn);
    }
    norm.update(z, N);
    const f = ultraEditFactors(u, d, N, nIn, nOut, norm, lr);
    // V_t = −lr ‖û_t‖² δ̂_t
    const V = new Float64Array(N * nOut);
    for (let t = 0; t < N; t++) {
      const zh = norm.normalise(z, t * (nIn + nOut));
      const uu = zh.subarray(0, nIn).reduce((a, b) => a + b * b, 0);
      for (let j = 0; j < nOut; j++) V[t * nOut + j] = -lr * uu * zh[nIn + j];
    }
    const A = new Float64Array(nIn * nIn);
    for (let a = 0; a < nIn; a++) {
      A[a * nIn + a] = 1;
      for (let b = 0; b < nIn; b++)
        for (let t = 0; t < N; t++) A[a * nIn + b] += u[t * nIn + a] * u[t * nIn + b];
    }
    const UtV = new Float64Array(nIn * nOut);
    for (let a = 0; a < nIn; a++)
      for (let j = 0; j < nOut; j++)
        for (let t = 0; t < N; t++) UtV[a * nOut + j] += u[t * nIn + a] * V[t * nOut + j];
    const want = luSolve(A, UtV, nIn, nOut);
    const got = dense(f.left, f.right, f.rank, nIn, nOut);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
  });
});

describe('AlphaEdit', () => {
  const [n, nOut] = [10, 3];
  // Preserved keys span 3 directions; the covariance has 7 (near-)zero eigenvalues.
  const K0 = seededRandom(3 * n, 4);
  const C = new Float64Array(n * n);
  addKeyOuterProducts(C, K0, 3, n);

  it('the projector keeps the small-eigenvalue directions and annihilates the preserved keys', () => {
    const { P, kept } = nullSpaceProjector(C, n, 1e-6);
    expect(kept).toBe(7);
    for (let t = 0; t < 3; t++) {
      const y = apply(K0, P, n, n, t * n);
      for (const v of y) expect(Math.abs(v)).toBeLessThan(1e-9);
    }
    const P2 = apply(P.subarray(0, n), P, n, n); // row 0 of P·P
    for (let j = 0; j < n; j++) expect(P2[j]).toBeCloseTo(P[j], 10);
  });

  it('edits a new key, keeps preserved keys and earlier edits exactly', () => {
    const { P } = nullSpaceProjector(C, n, 1e-6);
    const k1 = seededRandom(n, 5);
    const r1 = seededRandom(nOut, 6);
    const cache = new Float64Array(n * n);
    const f1 = alphaEditFactors(P, cache, k1, r1, 1, n, nOut, 1e-6);
    const W1 = dense(f1.left, f1.right, 1, n, nOut);
    // The new key gets (almost) all of its residual; preserved keys get nothing.
    const y1 = apply(k1, W1, n, nOut);
    for (let j = 0; j < nOut; j++) expect(y1[j]).toBeCloseTo(r1[j], 4);
    for (let t = 0; t < 3; t++)
      for (const v of apply(K0, W1, n, nOut, t * n)) expect(Math.abs(v)).toBeLessThan(1e-8);
    // A second edit with the first key in the cache leaves the first edit's output (almost) unchanged.
    addKeyOuterProducts(cache, k1, 1, n);
    const k2 = seededRandom(n, 7);
    const f2 = alphaEditFactors(P, cache, k2, seededRandom(nOut, 8), 1, n, nOut, 1e-6);
    const W2 = dense(f2.left, f2.right, 1, n, nOut);
    for (const v of apply(k1, W2, n, nOut)) expect(Math.abs(v)).toBeLessThan(1e-3);
    expect(() => alphaEditFactors(P, cache, k2, r1, 2, n, nOut, 1)).toThrow();
  });

  it('luSolve solves A X = B and refuses a singular A', () => {
    const A = [2, 1, 1, 3];
    const X = luSolve(A, [3, 5, 4, 10], 2, 2);
    // A · X = B
    expect(2 * X[0] + X[2]).toBeCloseTo(3, 12);
    expect(X[0] + 3 * X[2]).toBeCloseTo(4, 12);
    expect(2 * X[1] + X[3]).toBeCloseTo(5, 12);
    expect(() => luSolve([1, 2, 2, 4], [1, 1], 2, 1)).toThrow('singular');
  });
});
