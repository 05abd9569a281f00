// ROME's closed-form pieces on the CPU (Meng et al., "Locating and Editing Factual Associations in GPT",
// NeurIPS 2022, eq. 2 and Appendix A), in f64: the ridge-regularised Cholesky solve u = (C + λ·mean(diag C)·I)⁻¹ k*,
// the rank-one update in the Conv1D layout, and the tiny Adam that optimises ROME's d-dimensional δ.
// Sizes here are 4C (a few hundred to a few thousand): an O(n³) factorisation done once per covariance and an
// O(n²) solve per edit are exact and cheap next to the GPU work.

/** A Cholesky factor L (n, n), row-major lower triangle, of a symmetric positive-definite matrix A = L Lᵀ. */
export interface Cholesky {
  n: number;
  L: Float64Array;
  /** The ridge actually added to the diagonal. */
  ridge: number;
}

/**
 * Factorises A + ridge·mean(diag A)·I (A (n, n) row-major, symmetric). The ridge keeps directions the sample
 * never excited (dead GELU units) from blowing up C⁻¹k*. Throws when A is not positive definite even so.
 */
export function choleskyWithRidge(A: ArrayLike<number>, n: number, relativeRidge: number): Cholesky {
  if (A.length !== n * n)
    throw new RangeError(`choleskyWithRidge: A has ${A.length} values, want ${n}x${n}.`);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += A[i * n + i];
  const ridge = relativeRidge * (trace / n);
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j] + ridge;
    for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
    if (!(d > 0))
      throw new RangeError(
        'The key covariance is not positive definite: recompute it on more text (editscope rome-cov --tokens N).',
      );
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return { n, L, ridge };
}

/** x = (L Lᵀ)⁻¹ b by forward then back substitution. */
export function choleskySolve({ n, L }: Cholesky, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

export interface RankOneUpdate {
  /** (nIn) = C⁻¹k* / (k*ᵀ C⁻¹ k*): the patch's left factor. */
  left: Float32Array;
  /** (nOut) = v* − (k* W + b): the patch's right factor. */
  right: Float32Array;
  /** k*ᵀ C⁻¹ k*, the denominator (reported: a tiny value means k* lies where C has little mass). */
  keyEnergy: number;
}

/**
 * ROME's eq. 2 in the Conv1D view. Out×in, W' = W + (v* − W k*) (C⁻¹k*)ᵀ / (k*ᵀC⁻¹k*). HF GPT-2 stores the
 * transpose, W_conv (nIn, nOut) with y = x W_conv + b, so ΔW_conv = (C⁻¹k*)(v* − W k*)ᵀ / (k*ᵀC⁻¹k*)
 * = leftᵀ · right with left = C⁻¹k* / (k*ᵀC⁻¹k*) and right = v* − (k* W_conv + b). Then k* (W + ΔW) + b = v*
 * exactly, and any key k with kᵀC⁻¹k* = 0 keeps its output.
 * `currentValue` = k* W_conv + b, the layer's output at k* before the edit (measured on the GPU by the editor).
 */
export function rankOneUpdate(
  cov: Cholesky,
  keyStar: ArrayLike<number>,
  valueStar: ArrayLike<number>,
  currentValue: ArrayLike<number>,
): RankOneUpdate {
  if (keyStar.length !== cov.n)
    throw new RangeError(`rankOneUpdate: k* has ${keyStar.length} values, the covariance is ${cov.n}.`);
  if (valueStar.length !== currentValue.length)
    throw new RangeError('rankOneUpdate: v* and the current value differ in length.');
  const u = choleskySolve(cov, keyStar);
  let keyEnergy = 0;
  for (let i = 0; i < cov.n; i++) keyEnergy += u[i] * keyStar[i];
  if (!(keyEnergy > 0)) throw new RangeError('rankOneUpdate: the key k* is zero; nothing to edit at.');
  return {
    left: Float32Array.from(u, (x) => x / keyEnergy),
    right: Float32Array.from(valueStar, (v, j) => v - currentValue[j]),
    keyEnergy,
  };
}

/**
 * The update as ROME's released code makes it (rome/compute_u.py, compute_v.py, rome_main.py), which we follow
 * over the paper's eq. 2: the context-averaged key k̄ only gives the direction u = C⁻¹k̄, while the target value
 * and the normalisation use the BARE prompt's key k_b and value v_b:
 *   ΔW_conv = u (v* − v_b)ᵀ / (uᵀ k_b),  so  k_b (W + ΔW) + b = v* exactly
 * (the whole optimised δ = v* − v_b reaches the edit prompt). The paper's form (rankOneUpdate with k* = k̄) only
 * moves k_b's output by (uᵀk_b / uᵀk̄)·δ, a median 34 % of δ on the fact-world model (issue 13).
 * Left factor: u / ‖u‖ (the code's unit u); right factor: (v* − v_b)·‖u‖ / (uᵀk_b). Their product is the same.
 */
export function releasedRankOneUpdate(
  cov: Cholesky,
  directionKey: ArrayLike<number>,
  bareKey: ArrayLike<number>,
  valueStar: ArrayLike<number>,
  bareValue: ArrayLike<number>,
): RankOneUpdate & { unitLeft: Float32Array; scale: number } {
  if (directionKey.length !== cov.n || bareKey.length !== cov.n)
    throw new RangeError(`releasedRankOneUpdate: the keys must have ${cov.n} values.`);
  if (valueStar.length !== bareValue.length)
    throw new RangeError('releasedRankOneUpdate: v* and the bare value differ in length.');
  const u = choleskySolve(cov, directionKey);
  const uNorm = norm(u);
  if (!(uNorm > 0)) throw new RangeError('releasedRankOneUpdate: the key is zero; nothing to edit at.');
  let dot = 0;
  for (let i = 0; i < cov.n; i++) dot += (u[i] / uNorm) * bareKey[i];
  if (!(Math.abs(dot) > 1e-12))
    throw new RangeError(
      "releasedRankOneUpdate: the bare prompt's key is orthogonal to C⁻¹k̄; the edit cannot reach it.",
    );
  const unitLeft = Float32Array.from(u, (x) => x / uNorm);
  return {
    left: unitLeft,
    unitLeft,
    right: Float32Array.from(valueStar, (v, j) => (v - bareValue[j]) / dot),
    keyEnergy: dot,
    scale: dot,
  };
}

/**
 * Adam's step moves every coordinate by about lr, so a step moves δ by about lr·√d in norm. ROME's lr 0.5 was
 * tuned on GPT-2 XL (d = 1600, ‖v‖ in the tens); on a 128-wide model the same lr overshoots ‖v‖ in one step.
 * Scaling lr to relative·‖v_init‖/√d makes one step change δ by about `relative`·‖v_init‖ at any width (ours).
 */
export function valueScaledLr(relative: number, valueNorm: number, width: number): number {
  if (!(relative > 0) || !(valueNorm > 0) || !(width > 0))
    throw new RangeError('valueScaledLr: the relative step, the value norm and the width must be positive.');
  return (relative * valueNorm) / Math.sqrt(width);
}

/** torch.optim.Adam (no weight decay) over one small vector, kept on the CPU. */
export class VectorAdam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    n: number,
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  /** x ← x − lr·m̂/(√v̂ + eps), in place. */
  step(x: Float64Array, grad: ArrayLike<number>): void {
    this.t++;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    for (let i = 0; i < x.length; i++) {
      this.m[i] = this.beta1 * this.m[i] + (1 - this.beta1) * grad[i];
      this.v[i] = this.beta2 * this.v[i] + (1 - this.beta2) * grad[i] * grad[i];
      x[i] -= (this.lr * (this.m[i] / bc1)) / (Math.sqrt(this.v[i] / bc2) + this.eps);
    }
  }
}

export function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
