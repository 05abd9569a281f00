import { describe, expect, it } from 'vitest';
import { seededRandom } from '../model/testing.ts';
import {
  choleskySolve,
  choleskyWithRidge,
  norm,
  rankOneUpdate,
  releasedRankOneUpdate,
  valueScaledLr,
  VectorAdam,
} from './rome-math.ts';

const nIn = 12;
const nOut = 5;

/** C = KᵀK / N over N random keys (N > nIn: full rank), row-major (nIn, nIn). */
function sampleCovariance(N: number, seed: number): Float64Array {
  const K = seededRandom(N * nIn, seed);
  const C = new Float64Array(nIn * nIn);
  for (let t = 0; t < N; t++)
    for (let i = 0; i < nIn; i++)
      for (let j = 0; j < nIn; j++) C[i * nIn + j] += (K[t * nIn + i] * K[t * nIn + j]) / N;
  return C;
}

/** y (nOut) = x (nIn) · W (nIn, nOut) + b: the Conv1D forward. */
function conv1d(x: ArrayLike<number>, W: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) y[j] += x[i] * W[i * nOut + j];
  return y;
}

describe('ROME rank-one update (CPU)', () => {
  it('Cholesky solve satisfies (C + ridge·I) x = b', () => {
    const C = sampleCovariance(40, 3);
    const b = seededRandom(nIn, 4);
    const chol = choleskyWithRidge(C, nIn, 1e-2);
    const x = choleskySolve(chol, b);
    for (let i = 0; i < nIn; i++) {
      let s = chol.ridge * x[i];
      for (let j = 0; j < nIn; j++) s += C[i * nIn + j] * x[j];
      expect(s).toBeCloseTo(b[i], 10);
    }
  });

  it('maps k* to v* and leaves C⁻¹-orthogonal keys unchanged', () => {
    const C = sampleCovariance(40, 5);
    const W = seededRandom(nIn * nOut, 6);
    const bias = seededRandom(nOut, 7);
    const kStar = seededRandom(nIn, 8);
    const vStar = seededRandom(nOut, 9, 3);
    const chol = choleskyWithRidge(C, nIn, 0);
    const { left, right, keyEnergy } = rankOneUpdate(chol, kStar, vStar, conv1d(kStar, W, bias));
    expect(keyEnergy).toBeGreaterThan(0);
    // W' = W + leftᵀ·right in the Conv1D layout (what PatchStack adds).
    const W2 = Float64Array.from(W, (w, idx) => w + left[Math.floor(idx / nOut)] * right[idx % nOut]);
    const got = conv1d(kStar, W2, bias);
    for (let j = 0; j < nOut; j++) expect(got[j]).toBeCloseTo(vStar[j], 5);
    // A key k with kᵀ C⁻¹ k* = 0: project a random key off u = C⁻¹k* in the Euclidean inner product.
    const u = choleskySolve(chol, kStar);
    const k = Float64Array.from(seededRandom(nIn, 10));
    const along = k.reduce((s, v, i) => s + v * u[i], 0) / u.reduce((s, v) => s + v * v, 0);
    k.forEach((v, i) => (k[i] = v - along * u[i]));
    const before = conv1d(k, W, bias);
    const after = conv1d(k, W2, bias);
    for (let j = 0; j < nOut; j++) expect(after[j]).toBeCloseTo(before[j], 5);
  });

  it('refuses a zero key and a covariance of the wrong size', () => {
    const chol = choleskyWithRidge(sampleCovariance(40, 11), nIn, 1e-3);
    expect(() =>
      rankOneUpdate(chol, new Float32Array(nIn), new Float32Array(2), new Float32Array(2)),
    ).toThrow(/zero/);
    expect(() => rankOneUpdate(chol, new Float32Array(3), new Float32Array(2), new Float32Array(2))).toThrow(
      /covariance is 12/,
    );
  });

  it('VectorAdam follows torch.optim.Adam on a quadratic', () => {
    // f(x) = ½‖x − c‖²; the first Adam step moves every coordinate by exactly lr (m̂/√v̂ = sign(g)).
    const c = [1, -2, 0.5];
    const x = new Float64Array(3);
    const adam = new VectorAdam(3, 0.1);
    adam.step(
      x,
      x.map((v, i) => v - c[i]),
    );
    expect(Array.from(x)).toEqual([0.1, -0.1, 0.1].map((v) => expect.closeTo(v, 6)));
    for (let s = 0; s < 300; s++)
      adam.step(
        x,
        x.map((v, i) => v - c[i]),
      );
    expect(norm(x.map((v, i) => v - c[i]))).toBeLessThan(1e-2);
  });
});

describe("ROME's released-code normalisation", () => {
  it("maps the bare prompt's key to v* exactly, with the direction from the averaged key", () => {
    const C = sampleCovariance(40, 11);
    const W = seededRandom(nIn * nOut, 12);
    const b = seededRandom(nOut, 13);
    const kBar = seededRandom(nIn, 14);
    const kBare = Float64Array.from(kBar, (x, i) => x + 0.3 * Math.sin(i)); // the bare prompt's key differs
    const vBare = conv1d(kBare, W, b);
    const vStar = Float64Array.from(vBare, (v, j) => v + 1 + j);
    const chol = choleskyWithRidge(C, nIn, 1e-2);
    const up = releasedRankOneUpdate(chol, kBar, kBare, vStar, vBare);
    expect(norm(up.left)).toBeCloseTo(1, 6);
    const W2 = Float64Array.from(W, (w, idx) => w + up.left[Math.floor(idx / nOut)] * up.right[idx % nOut]);
    const out = conv1d(kBare, W2, b);
    for (let j = 0; j < nOut; j++) expect(out[j]).toBeCloseTo(vStar[j], 4);
    // The paper's form keyed on k̄ reaches k_b only partly: its change at k_b is (uᵀk_b / uᵀk̄)·δ.
    const paper = rankOneUpdate(chol, kBar, vStar, conv1d(kBar, W, b));
    const u = choleskySolve(chol, kBar);
    let ub = 0;
    let uk = 0;
    for (let i = 0; i < nIn; i++) {
      ub += u[i] * kBare[i];
      uk += u[i] * kBar[i];
    }
    const W3 = Float64Array.from(
      W,
      (w, idx) => w + paper.left[Math.floor(idx / nOut)] * paper.right[idx % nOut],
    );
    const moved = conv1d(kBare, W3, b);
    for (let j = 0; j < nOut; j++)
      expect(moved[j] - vBare[j]).toBeCloseTo(((vStar[j] - conv1d(kBar, W, b)[j]) * ub) / uk, 4);
  });

  it('refuses a zero key and a bare key orthogonal to the direction', () => {
    const chol = choleskyWithRidge(sampleCovariance(40, 2), nIn, 1e-2);
    const zero = new Float64Array(nIn);
    expect(() => releasedRankOneUpdate(chol, zero, zero, [0], [0])).toThrow();
    const k = seededRandom(nIn, 3);
    expect(() =>
      releasedRankOneUpdate(chol, k, zero, new Float64Array(nOut), new Float64Array(nOut)),
    ).toThrow('orthogonal');
  });

  it('scales the learning rate to the value norm and the width', () => {
    // One Adam step moves δ by ≈ lr·√d = relative·‖v‖.
    expect(valueScaledLr(0.25, 8, 64) * Math.sqrt(64)).toBeCloseTo(2, 12);
    expect(() => valueScaledLr(0.25, 0, 64)).toThrow();
  });
});
