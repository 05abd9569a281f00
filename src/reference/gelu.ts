// CPU reference for shaders/gelu.wgsl: GPT-2's tanh GELU, torch gelu(approximate='tanh'). f64.

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const COEFF = 0.044715;

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), elementwise. */
export function geluForwardRef(inp: ArrayLike<number>): Float64Array {
  const out = new Float64Array(inp.length);
  for (let i = 0; i < inp.length; i++) {
    const x = inp[i];
    out[i] = 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + COEFF * x ** 3)));
  }
  return out;
}

/** dinp = GELU'(inp)·dout, the analytic derivative of geluForwardRef. */
export function geluBackwardRef(inp: ArrayLike<number>, dout: ArrayLike<number>): Float64Array {
  const dinp = new Float64Array(inp.length);
  for (let i = 0; i < inp.length; i++) {
    const x = inp[i];
    const t = Math.tanh(SQRT_2_OVER_PI * (x + COEFF * x ** 3));
    const sech2 = 1 - t * t;
    // sech² underflows to exactly 0 long before x² overflows, but guard the 0·∞ anyway.
    const slope = sech2 === 0 ? 0 : 0.5 * x * sech2 * SQRT_2_OVER_PI * (1 + 3 * COEFF * x * x);
    dinp[i] = (0.5 * (1 + t) + slope) * dout[i];
  }
  return dinp;
}
