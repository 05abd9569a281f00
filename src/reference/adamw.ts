// CPU reference for shaders/adamw.wgsl: one torch.optim.AdamW step (single-tensor path, amsgrad=False). f64.

export interface AdamwHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based. */
  step: number;
  gradScale?: number;
}

export interface AdamwState {
  param: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

/** Returns the updated (param, m, v) as new arrays; the inputs are untouched. */
export function adamwStepRef(
  param: ArrayLike<number>,
  grad: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  h: AdamwHyper,
): AdamwState {
  const out: AdamwState = {
    param: Float64Array.from(param),
    m: Float64Array.from(m),
    v: Float64Array.from(v),
  };
  const bc1 = 1 - h.beta1 ** h.step;
  const bc2 = 1 - h.beta2 ** h.step;
  for (let i = 0; i < out.param.length; i++) {
    const g = grad[i] * (h.gradScale ?? 1);
    out.param[i] *= 1 - h.lr * h.weightDecay;
    out.m[i] = h.beta1 * out.m[i] + (1 - h.beta1) * g;
    out.v[i] = h.beta2 * out.v[i] + (1 - h.beta2) * g * g;
    const mHat = out.m[i] / bc1;
    const vHat = out.v[i] / bc2;
    out.param[i] -= (h.lr * mHat) / (Math.sqrt(vHat) + h.eps);
  }
  return out;
}
