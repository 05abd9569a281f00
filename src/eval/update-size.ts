// The size of an edit, ‖ΔW‖_F / ‖W‖_F per edited matrix, computed from the patch's factors
// ΔW = leftᵀ·right (left (r, nIn), right (r, nOut); the editors' WeightDelta) without forming ΔW when that is
// cheaper: ‖ΔW‖_F² = Σ_{a,b} (l_a·l_b)(r_a·r_b) costs r²(nIn + nOut), the dense product r·nIn·nOut. FT-L's
// dense patch (r = nIn, left = I) and long MEND/IBKE prompts take the dense route; ROME's rank one the Gram route.
// The hypernetworks edit six matrices and FT-L/ROME one: we report the largest relative change (and the sum
// of squares over matrices, for a matched-size comparison).

/** Structurally the editors' WeightDelta (this module is a leaf and does not import editors). */
export interface FactorDelta {
  param: string;
  nIn: number;
  nOut: number;
  rank: number;
  left: ArrayLike<number>;
  right: ArrayLike<number>;
}

/** ‖Σ_d leftᵀ_d · right_d‖_F for deltas that all change the same (nIn, nOut) matrix; f64 throughout. */
export function deltaFrobenius(deltas: readonly FactorDelta[]): number {
  if (deltas.length === 0) return 0;
  const { nIn, nOut } = deltas[0];
  let rank = 0;
  for (const d of deltas) {
    if (d.nIn !== nIn || d.nOut !== nOut)
      throw new RangeError(
        `deltaFrobenius: ${d.param} is ${d.nIn}x${d.nOut}, the first delta ${nIn}x${nOut}.`,
      );
    if (d.left.length !== d.rank * nIn || d.right.length !== d.rank * nOut)
      throw new RangeError(`deltaFrobenius: the factors of ${d.param} do not match rank ${d.rank}.`);
    rank += d.rank;
  }
  const rowsL: ArrayLike<number>[] = [];
  const rowsR: ArrayLike<number>[] = [];
  const offsets: number[] = [];
  for (const d of deltas)
    for (let r = 0; r < d.rank; r++) {
      rowsL.push(d.left);
      rowsR.push(d.right);
      offsets.push(r);
    }
  if (rank * rank * (nIn + nOut) <= rank * nIn * nOut) {
    const dot = (x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number, n: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
      return s;
    };
    let sq = 0;
    for (let a = 0; a < rank; a++)
      for (let b = a; b < rank; b++) {
        const g =
          dot(rowsL[a], offsets[a] * nIn, rowsL[b], offsets[b] * nIn, nIn) *
          dot(rowsR[a], offsets[a] * nOut, rowsR[b], offsets[b] * nOut, nOut);
        sq += a === b ? g : 2 * g;
      }
    return Math.sqrt(Math.max(0, sq));
  }
  const dense = new Float64Array(nIn * nOut);
  for (let a = 0; a < rank; a++) {
    const L = rowsL[a];
    const R = rowsR[a];
    const lo = offsets[a] * nIn;
    const ro = offsets[a] * nOut;
    for (let i = 0; i < nIn; i++) {
      const li = L[lo + i];
      if (li === 0) continue;
      const row = i * nOut;
      for (let j = 0; j < nOut; j++) dense[row + j] += li * R[ro + j];
    }
  }
  let sq = 0;
  for (const x of dense) sq += x * x;
  return Math.sqrt(sq);
}

export interface UpdateSize {
  /** ‖ΔW‖/‖W‖ of every changed matrix. */
  perParam: Record<string, number>;
  /** The largest of them. */
  max: number;
  /** sqrt(Σ over matrices of (‖ΔW‖/‖W‖)²). */
  total: number;
}

/** Relative update sizes of a set of deltas (one patch, or every patch applied so far), grouped by matrix. */
export function updateSize(
  deltas: readonly FactorDelta[],
  weightNorm: (param: string) => number,
): UpdateSize {
  const byParam = new Map<string, FactorDelta[]>();
  for (const d of deltas) byParam.set(d.param, [...(byParam.get(d.param) ?? []), d]);
  const perParam: Record<string, number> = {};
  let max = 0;
  let sq = 0;
  for (const [param, ds] of byParam) {
    const w = weightNorm(param);
    if (!(w > 0)) throw new RangeError(`updateSize: the norm of ${param} is ${w}.`);
    const rel = deltaFrobenius(ds) / w;
    perParam[param] = rel;
    max = Math.max(max, rel);
    sq += rel * rel;
  }
  return { perParam, max, total: Math.sqrt(sq) };
}

export function frobenius(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
