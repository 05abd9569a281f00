// CPU reference for shaders/layernorm.wgsl: torch.nn.LayerNorm over the last dim (biased variance). f64.

export interface LayernormShape {
  N: number;
  C: number;
}

export interface LayernormForwardResult {
  out: Float64Array; // (N, C)
  mean: Float64Array; // (N)
  rstd: Float64Array; // (N)
}

export function layernormForwardRef(
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
  { N, C }: LayernormShape,
  eps: number,
): LayernormForwardResult {
  const out = new Float64Array(N * C);
  const mean = new Float64Array(N);
  const rstd = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const x0 = n * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += inp[x0 + c];
    const mu = s / C;
    let q = 0;
    for (let c = 0; c < C; c++) q += (inp[x0 + c] - mu) ** 2;
    const r = 1 / Math.sqrt(q / C + eps);
    for (let c = 0; c < C; c++) out[x0 + c] = (inp[x0 + c] - mu) * r * weight[c] + bias[c];
    mean[n] = mu;
    rstd[n] = r;
  }
  return { out, mean, rstd };
}

export interface LayernormGradients {
  dinp: Float64Array; // (N, C)
  dweight: Float64Array; // (C)
  dbias: Float64Array; // (C)
}

/**
 * Gradients of LayerNorm given dout and the forward's saved mean/rstd, accumulated into copies of `init`:
 * dinp += rstd·(dnorm − mean(dnorm) − xhat·mean(dnorm·xhat)) with dnorm = dout·w; dweight += Σ dout·xhat;
 * dbias += Σ dout.
 */
export function layernormBackwardRef(
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  mean: ArrayLike<number>,
  rstd: ArrayLike<number>,
  init: { dinp: ArrayLike<number>; dweight: ArrayLike<number>; dbias: ArrayLike<number> },
  { N, C }: LayernormShape,
): LayernormGradients {
  const dinp = Float64Array.from(init.dinp);
  const dweight = Float64Array.from(init.dweight);
  const dbias = Float64Array.from(init.dbias);
  for (let n = 0; n < N; n++) {
    const x0 = n * C;
    const xhat = (c: number) => (inp[x0 + c] - mean[n]) * rstd[n];
    let sumDnorm = 0;
    let sumDnormXhat = 0;
    for (let c = 0; c < C; c++) {
      const dnorm = dout[x0 + c] * weight[c];
      sumDnorm += dnorm;
      sumDnormXhat += dnorm * xhat(c);
      dweight[c] += dout[x0 + c] * xhat(c);
      dbias[c] += dout[x0 + c];
    }
    for (let c = 0; c < C; c++) {
      const dnorm = dout[x0 + c] * weight[c];
      dinp[x0 + c] += rstd[n] * (dnorm - sumDnorm / C - xhat(c) * (sumDnormXhat / C));
    }
  }
  return { dinp, dweight, dbias };
}
