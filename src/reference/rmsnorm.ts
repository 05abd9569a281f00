// CPU reference for shaders/rmsnorm.wgsl: HF LlamaRMSNorm over the last dim, forward and backward, in f64.

export interface RmsnormShape {
  N: number;
  C: number;
}

export function rmsnormForwardRef(
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  { N, C }: RmsnormShape,
  eps: number,
): { out: Float64Array; rstd: Float64Array } {
  const out = new Float64Array(N * C);
  const rstd = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let q = 0;
    for (let c = 0; c < C; c++) q += inp[n * C + c] ** 2;
    const r = 1 / Math.sqrt(q / C + eps);
    for (let c = 0; c < C; c++) out[n * C + c] = inp[n * C + c] * r * weight[c];
    rstd[n] = r;
  }
  return { out, rstd };
}

/**
 * Gradients given dout and the forward's rstd: dinp = rstd·(dnorm − xhat·mean(dnorm·xhat)) with dnorm = dout·w
 * (added to `init.dinp` when given), dweight = init.dweight + Σ_n dout·xhat.
 */
export function rmsnormBackwardRef(
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  rstd: ArrayLike<number>,
  init: { dinp?: ArrayLike<number>; dweight?: ArrayLike<number> },
  { N, C }: RmsnormShape,
): { dinp: Float64Array; dweight: Float64Array } {
  const dinp = init.dinp ? Float64Array.from(init.dinp) : new Float64Array(N * C);
  const dweight = init.dweight ? Float64Array.from(init.dweight) : new Float64Array(C);
  for (let n = 0; n < N; n++) {
    const x0 = n * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += dout[x0 + c] * weight[c] * inp[x0 + c] * rstd[n];
    for (let c = 0; c < C; c++) {
      const xhat = inp[x0 + c] * rstd[n];
      dinp[x0 + c] += rstd[n] * (dout[x0 + c] * weight[c] - (xhat * s) / C);
      dweight[c] += dout[x0 + c] * xhat;
    }
  }
  return { dinp, dweight };
}
