// The closed-form pieces of the two lifelong editors, on the CPU in f64 (sizes: a few hundred to a few
// thousand; the GPU does the forward/backward passes that give their inputs).
//
// UltraEdit (Gu et al. 2025, arXiv 2505.14679; released code editor/ultraedit.py, nets.py RunningMeanStd):
//   per-token factors z_t = [u_t; δ_t] (a layer's input and output gradient at the answer tokens) are
//   standardised with running ("lifelong") statistics that every edit updates; each token asks for the output
//   change v_t = −lr·‖û_t‖²·δ̂_t; the update is the ridge solution ΔW = (UᵀU + I)⁻¹ Uᵀ V with the RAW inputs U.
//   By the push-through identity ΔW = Uᵀ (UUᵀ + I)⁻¹ V, so it is stored as rank-N factors (N tokens) with an
//   N×N solve instead of the code's dense nIn×nIn one.
// AlphaEdit (Fang et al., ICLR 2025; released code AlphaEdit_main.py, experiments/evaluate.py get_project):
//   P projects onto the span of the key covariance's eigenvectors with small eigenvalues (keys the model sees
//   rarely), and ΔW = (P(KᵀK + C_p) + λI)⁻¹ P Kᵀ R, where K are the new edits' keys, R their residuals
//   (v* − v), C_p the sum of earlier edits' kkᵀ. The solution lies in range(P): preserved keys keep their
//   outputs, and C_p keeps earlier edits in place.

import { choleskySolve, choleskyWithRidge } from './rome-math.ts';
import { symmetricEigen } from '../util/symmetric-eigen.ts';

/**
 * Running mean and standard deviation per feature, merged batch by batch (Chan et al.'s exact parallel update;
 * the released code adds B·var_unbiased(x), which differs slightly and is NaN for a batch of one token).
 */
export class RunningMeanStd {
  n = 0;
  readonly mean: Float64Array;
  /** Σ (x − mean)² so far. */
  readonly m2: Float64Array;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  /** Adds B rows (B, size) row-major. */
  update(rows: ArrayLike<number>, B: number): void {
    if (rows.length !== B * this.size)
      throw new RangeError(`RunningMeanStd: ${rows.length} values for ${B} rows of ${this.size}.`);
    if (B === 0) return;
    const { size } = this;
    for (let j = 0; j < size; j++) {
      let bm = 0;
      for (let b = 0; b < B; b++) bm += rows[b * size + j];
      bm /= B;
      let bm2 = 0;
      for (let b = 0; b < B; b++) bm2 += (rows[b * size + j] - bm) ** 2;
      const delta = bm - this.mean[j];
      const n = this.n + B;
      this.mean[j] += (delta * B) / n;
      this.m2[j] += bm2 + (delta * delta * this.n * B) / n;
    }
    this.n += B;
  }

  /** Sample standard deviation of feature j (0 before two samples). */
  std(j: number): number {
    return this.n > 1 ? Math.sqrt(this.m2[j] / (this.n - 1)) : 0;
  }

  /**
   * (x − mean) / (std + eps) of one row (size) starting at `offset`. Before two samples there is no spread to
   * normalise by, and centring on a single sample would zero it (a first one-token edit would change nothing):
   * the row passes through unchanged until then. UltraEdit's code never meets this, as it edits in batches.
   */
  normalise(x: ArrayLike<number>, offset = 0, eps = 1e-6): Float64Array {
    const out = new Float64Array(this.size);
    if (this.n < 2) {
      for (let j = 0; j < this.size; j++) out[j] = x[offset + j];
      return out;
    }
    for (let j = 0; j < this.size; j++) out[j] = (x[offset + j] - this.mean[j]) / (this.std(j) + eps);
    return out;
  }
}

export interface LowRankFactors {
  /** (rank, nIn) */
  left: Float32Array;
  /** (rank, nOut) */
  right: Float32Array;
  rank: number;
}

/**
 * UltraEdit's update of one layer from N tokens' u (N, nIn) and δ (N, nOut), after `norm` (size nIn + nOut) has
 * seen them. Returns ΔW = leftᵀ·right with left = U, right = (UUᵀ + I)⁻¹ V.
 */
export function ultraEditFactors(
  u: ArrayLike<number>,
  delta: ArrayLike<number>,
  N: number,
  nIn: number,
  nOut: number,
  norm: RunningMeanStd,
  lr: number,
): LowRankFactors {
  if (u.length !== N * nIn || delta.length !== N * nOut || norm.size !== nIn + nOut)
    throw new RangeError('ultraEditFactors: the factor sizes do not match N, nIn, nOut and the normaliser.');
  const z = new Float64Array(nIn + nOut);
  const V = new Float64Array(N * nOut);
  for (let t = 0; t < N; t++) {
    for (let i = 0; i < nIn; i++) z[i] = u[t * nIn + i];
    for (let j = 0; j < nOut; j++) z[nIn + j] = delta[t * nOut + j];
    const zh = norm.normalise(z);
    let uu = 0;
    for (let i = 0; i < nIn; i++) uu += zh[i] * zh[i];
    for (let j = 0; j < nOut; j++) V[t * nOut + j] = -lr * uu * zh[nIn + j];
  }
  // G = U Uᵀ + I (N, N), SPD.
  const G = new Float64Array(N * N);
  for (let a = 0; a < N; a++)
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < nIn; i++) s += u[a * nIn + i] * u[b * nIn + i];
      G[a * N + b] = G[b * N + a] = s + (a === b ? 1 : 0);
    }
  const chol = choleskyWithRidge(G, N, 0);
  const right = new Float32Array(N * nOut);
  const col = new Float64Array(N);
  for (let j = 0; j < nOut; j++) {
    for (let t = 0; t < N; t++) col[t] = V[t * nOut + j];
    const x = choleskySolve(chol, col);
    for (let t = 0; t < N; t++) right[t * nOut + j] = x[t];
  }
  return { left: Float32Array.from(u), right, rank: N };
}

/** P = Σ over eigenvectors of C with λ < threshold·λ_max of v vᵀ (n, n), and how many directions it keeps. */
export function nullSpaceProjector(
  cov: ArrayLike<number>,
  n: number,
  relativeThreshold: number,
): { P: Float64Array; kept: number; values: Float64Array } {
  const { values, vectors } = symmetricEigen(cov, n);
  const cut = relativeThreshold * values[n - 1];
  const keep: number[] = [];
  for (let j = 0; j < n; j++) if (values[j] < cut) keep.push(j);
  const P = new Float64Array(n * n);
  for (let a = 0; a < n; a++)
    for (let b = a; b < n; b++) {
      let s = 0;
      for (const j of keep) s += vectors[a * n + j] * vectors[b * n + j];
      P[a * n + b] = P[b * n + a] = s;
    }
  return { P, kept: keep.length, values };
}

/**
 * AlphaEdit's update for m edits: keys K (m, nIn), residuals R (m, nOut), projector P (nIn, nIn), earlier edits'
 * Σ kkᵀ `cacheC` (nIn, nIn), ridge λ. ΔW = Y R with Y = (P(KᵀK + C_p) + λI)⁻¹ P Kᵀ (nIn, m): left = Yᵀ, right = R.
 */
export function alphaEditFactors(
  P: ArrayLike<number>,
  cacheC: ArrayLike<number>,
  K: ArrayLike<number>,
  R: ArrayLike<number>,
  m: number,
  nIn: number,
  nOut: number,
  lambda: number,
): LowRankFactors {
  if (K.length !== m * nIn || R.length !== m * nOut || P.length !== nIn * nIn || cacheC.length !== nIn * nIn)
    throw new RangeError('alphaEditFactors: the sizes of P, C_p, K and R do not match.');
  // S = KᵀK + C_p
  const S = Float64Array.from(cacheC);
  for (let t = 0; t < m; t++)
    for (let a = 0; a < nIn; a++) {
      const ka = K[t * nIn + a];
      if (ka === 0) continue;
      for (let b = 0; b < nIn; b++) S[a * nIn + b] += ka * K[t * nIn + b];
    }
  const A = matmulSquare(P, S, nIn);
  for (let a = 0; a < nIn; a++) A[a * nIn + a] += lambda;
  // B = P Kᵀ (nIn, m)
  const B = new Float64Array(nIn * m);
  for (let a = 0; a < nIn; a++)
    for (let t = 0; t < m; t++) {
      let s = 0;
      for (let b = 0; b < nIn; b++) s += P[a * nIn + b] * K[t * nIn + b];
      B[a * m + t] = s;
    }
  const Y = luSolve(A, B, nIn, m);
  const left = new Float32Array(m * nIn);
  for (let t = 0; t < m; t++) for (let a = 0; a < nIn; a++) left[t * nIn + a] = Y[a * m + t];
  return { left, right: Float32Array.from(R), rank: m };
}

/** Adds Σ_t k_t k_tᵀ of keys K (m, n) into C (n, n). */
export function addKeyOuterProducts(C: Float64Array, K: ArrayLike<number>, m: number, n: number): void {
  for (let t = 0; t < m; t++)
    for (let a = 0; a < n; a++) {
      const ka = K[t * n + a];
      if (ka === 0) continue;
      for (let b = 0; b < n; b++) C[a * n + b] += ka * K[t * n + b];
    }
}

function matmulSquare(A: ArrayLike<number>, B: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const a = A[i * n + k];
      if (a === 0) continue;
      const ro = i * n;
      const rb = k * n;
      for (let j = 0; j < n; j++) out[ro + j] += a * B[rb + j];
    }
  return out;
}

/** X = A⁻¹ B for A (n, n), B (n, m), by LU with partial pivoting; throws when A is singular. */
export function luSolve(A: ArrayLike<number>, B: ArrayLike<number>, n: number, m: number): Float64Array {
  const M = Float64Array.from(A);
  const X = Float64Array.from(B);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]) > Math.abs(M[p * n + c])) p = r;
    const pivot = M[p * n + c];
    if (!(Math.abs(pivot) > 1e-300)) throw new RangeError('luSolve: the matrix is singular.');
    if (p !== c) {
      for (let j = 0; j < n; j++) [M[c * n + j], M[p * n + j]] = [M[p * n + j], M[c * n + j]];
      for (let j = 0; j < m; j++) [X[c * m + j], X[p * m + j]] = [X[p * m + j], X[c * m + j]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c] / pivot;
      if (f === 0) continue;
      for (let j = c; j < n; j++) M[r * n + j] -= f * M[c * n + j];
      for (let j = 0; j < m; j++) X[r * m + j] -= f * X[c * m + j];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    for (let j = 0; j < m; j++) {
      let s = X[c * m + j];
      for (let k = c + 1; k < n; k++) s -= M[c * n + k] * X[k * m + j];
      X[c * m + j] = s / M[c * n + c];
    }
  }
  return X;
}
