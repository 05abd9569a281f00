// CPU reference for shaders/kl_rows.wgsl (f64): out[k] = w_k·Σ_i q_ki (log q_ki − log p_{rows[k], i}), 0·log 0 = 0.

export function klRowsRef(
  rows: ArrayLike<number>,
  weights: ArrayLike<number>,
  q: ArrayLike<number>,
  probs: ArrayLike<number>,
  V: number,
): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    let s = 0;
    for (let i = 0; i < V; i++) {
      const qi = q[k * V + i];
      if (qi > 0) s += qi * (Math.log(qi) - Math.log(probs[rows[k] * V + i]));
    }
    out[k] = weights[k] * s;
  }
  return out;
}
