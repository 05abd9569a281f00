// The eigensolver against its definition: A V = V diag(λ), VᵀV = I, ascending values, on awkward sizes,
// repeated eigenvalues and a rank-deficient covariance (the AlphaEdit case).

import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './symmetric-eigen.ts';
import { uniformArray } from './random.ts';

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = uniformArray(n * n, seed);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = (r[i * n + j] + r[j * n + i]) / 2;
  return A;
}

function check(A: Float64Array, n: number) {
  const { values, vectors: V } = symmetricEigen(A, n);
  let worst = 0;
  for (let j = 0; j < n; j++) {
    if (j > 0) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1]);
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let k = 0; k < n; k++) av += A[i * n + k] * V[k * n + j];
      worst = Math.max(worst, Math.abs(av - values[j] * V[i * n + j]));
    }
    for (let k = 0; k <= j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += V[i * n + j] * V[i * n + k];
      worst = Math.max(worst, Math.abs(dot - (j === k ? 1 : 0)));
    }
  }
  expect(worst).toBeLessThan(1e-10);
  return values;
}

describe('symmetricEigen', () => {
  it('satisfies A V = V Λ with orthonormal V on awkward sizes', () => {
    for (const n of [1, 2, 3, 7, 33]) check(randomSymmetric(n, n), n);
  });
  it('handles a diagonal matrix with repeated values and a rank-deficient covariance', () => {
    const D = new Float64Array(16);
    [3, 1, 3, 0].forEach((x, i) => (D[i * 4 + i] = x));
    expect(Array.from(check(D, 4))).toEqual([0, 1, 3, 3]);
    // C = KᵀK over 3 keys in 10 dimensions: rank 3, seven zero eigenvalues.
    const n = 10;
    const K = uniformArray(3 * n, 9);
    const C = new Float64Array(n * n);
    for (let t = 0; t < 3; t++)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C[i * n + j] += K[t * n + i] * K[t * n + j];
    const values = check(C, n);
    for (let j = 0; j < 7; j++) expect(Math.abs(values[j])).toBeLessThan(1e-12);
    expect(values[7]).toBeGreaterThan(1e-3);
  });
  it('refuses a wrong size or a non-finite entry', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow('2x2');
    expect(() => symmetricEigen([1, NaN, NaN, 1], 2)).toThrow('NaN');
  });
});
