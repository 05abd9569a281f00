// CPU references (f64) for the hypernetwork editors' kernels: shaders/hyper_{norm,mend,factors,latent}.wgsl.

type Arr = ArrayLike<number>;

/** Running (mean, M2) per column after merging x (rows, C) into stats (2, C) that already saw `count` rows. */
export function normStatsUpdateRef(x: Arr, stats: Arr, rows: number, C: number, count: number): Float64Array {
  const out = Float64Array.from(stats);
  for (let j = 0; j < C; j++) {
    // Direct definition over the union: old rows are summarised by (mean, M2), so merge exactly.
    let s = 0;
    for (let i = 0; i < rows; i++) s += x[i * C + j];
    const mb = s / rows;
    let m2b = 0;
    for (let i = 0; i < rows; i++) m2b += (x[i * C + j] - mb) ** 2;
    const n = count + rows;
    const delta = mb - stats[j];
    out[j] = stats[j] + (delta * rows) / n;
    out[C + j] = stats[C + j] + m2b + (delta * delta * count * rows) / n;
  }
  return out;
}

export function standardizeRef(
  x: Arr,
  stats: Arr,
  into: Arr,
  {
    rows,
    C,
    ld,
    off,
    count,
    eps,
  }: { rows: number; C: number; ld: number; off: number; count: number; eps: number },
): Float64Array {
  const out = Float64Array.from(into);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < C; j++) {
      const v = x[i * C + j];
      const sd = Math.sqrt(Math.max(stats[C + j], 0) / (count - 1));
      out[i * ld + off + j] = count >= 2 ? (v - stats[j]) / (sd + eps) : v;
    }
  return out;
}

/** y = x + ReLU(s ⊙ a + o) and its backward (da, ds, do) for a given dy. */
export function affineReluResidualRef(x: Arr, a: Arr, s: Arr, o: Arr, dy: Arr, N: number, D: number) {
  const y = new Float64Array(N * D);
  const da = new Float64Array(N * D);
  const ds = new Float64Array(D);
  const dO = new Float64Array(D);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < D; j++) {
      const k = i * D + j;
      const pre = s[j] * a[k] + o[j];
      y[k] = x[k] + Math.max(pre, 0);
      if (pre > 0) {
        da[k] = dy[k] * s[j];
        ds[j] += dy[k] * a[k];
        dO[j] += dy[k];
      }
    }
  return { y, da, ds, dO };
}

export interface ScaledColumnsRef {
  rows: number;
  W: number;
  ld: number;
  off: number;
  alpha: number;
  rowScale: Arr;
  sign: number;
}

export function gatherColumnsScaledRef(src: Arr, c: ScaledColumnsRef): Float64Array {
  const out = new Float64Array(c.rows * c.W);
  for (let i = 0; i < c.rows; i++)
    for (let j = 0; j < c.W; j++)
      out[i * c.W + j] = c.sign * c.alpha * c.rowScale[i] * src[i * c.ld + c.off + j];
  return out;
}

export function scatterColumnsScaledRef(x: Arr, dst: Arr, c: ScaledColumnsRef): Float64Array {
  const out = Float64Array.from(dst);
  for (let i = 0; i < c.rows; i++)
    for (let j = 0; j < c.W; j++)
      out[i * c.ld + c.off + j] = c.sign * c.alpha * c.rowScale[i] * x[i * c.W + j];
  return out;
}

export function scaleGradsRef(dout: Arr, src: Arr, c: ScaledColumnsRef) {
  const perAlpha = new Float64Array(c.rows);
  const dRowScale = new Float64Array(c.rows);
  for (let i = 0; i < c.rows; i++) {
    let g = 0;
    for (let j = 0; j < c.W; j++) g += dout[i * c.W + j] * src[i * c.ld + c.off + j];
    perAlpha[i] = c.sign * c.rowScale[i] * g;
    dRowScale[i] = c.sign * c.alpha * g;
  }
  return { perAlpha, dRowScale };
}

export function softplusRef(x: Arr): Float64Array {
  return Float64Array.from(x, (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
}

export function softplusBackwardRef(x: Arr, dy: Arr): Float64Array {
  return Float64Array.from(x, (v, i) => dy[i] / (1 + Math.exp(-v)));
}

export function maskedSoftmaxRef(s: Arr, segR: Arr, segC: Arr, R: number, C: number): Float64Array {
  const p = new Float64Array(R * C);
  for (let r = 0; r < R; r++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (segC[c] === segR[r]) m = Math.max(m, s[r * C + c]);
    let total = 0;
    for (let c = 0; c < C; c++) if (segC[c] === segR[r]) total += Math.exp(s[r * C + c] - m);
    for (let c = 0; c < C; c++) p[r * C + c] = segC[c] === segR[r] ? Math.exp(s[r * C + c] - m) / total : 0;
  }
  return p;
}

export function softmaxBackwardRef(p: Arr, dp: Arr, R: number, C: number): Float64Array {
  const ds = new Float64Array(R * C);
  for (let r = 0; r < R; r++) {
    let dot = 0;
    for (let c = 0; c < C; c++) dot += dp[r * C + c] * p[r * C + c];
    for (let c = 0; c < C; c++) ds[r * C + c] = p[r * C + c] * (dp[r * C + c] - dot);
  }
  return ds;
}

/** z = μ + e^(lv/2)·ε, per-element KL, and the backward with k = β/E, for a given ε. */
export function reparamRef(mu: Arr, lv: Arr, eps: Arr, dz: Arr, k: number) {
  const n = mu.length;
  const z = new Float64Array(n);
  const kl = new Float64Array(n);
  const dmu = new Float64Array(n);
  const dlv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sd = Math.exp(0.5 * lv[i]);
    z[i] = mu[i] + sd * eps[i];
    kl[i] = 0.5 * (mu[i] ** 2 + Math.exp(lv[i]) - 1 - lv[i]);
    dmu[i] = dz[i] + k * mu[i];
    dlv[i] = 0.5 * dz[i] * eps[i] * sd + 0.5 * k * (Math.exp(lv[i]) - 1);
  }
  return { z, kl, dmu, dlv };
}
