// Central finite differences in f64: validates the hand-written backward references against their forwards.

/** ∂f/∂x[i] for every i by (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h; x is restored afterwards. */
export function numericalGradient(f: () => number, x: Float64Array, h = 1e-5): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + h;
    const up = f();
    x[i] = saved - h;
    const down = f();
    x[i] = saved;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/** Σ a[i]·b[i]: the scalar loss L = ⟨out, R⟩ whose gradient with respect to out is R. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** A deterministic f64 array in [-1, 1) for small reference tests (an LCG; no GPU helpers needed). */
export function seededArray(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}
