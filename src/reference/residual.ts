// CPU reference for shaders/residual.wgsl: out = a + b, y += alpha·x, x *= alpha. f64.

export function residualForwardRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (v, i) => v + b[i]);
}

/** Returns y + alpha·x (a new array). */
export function axpyRef(x: ArrayLike<number>, y: ArrayLike<number>, alpha: number): Float64Array {
  return Float64Array.from(y, (v, i) => v + alpha * x[i]);
}

/** Returns alpha·x (a new array). */
export function scaleRef(x: ArrayLike<number>, alpha: number): Float64Array {
  return Float64Array.from(x, (v) => v * alpha);
}
