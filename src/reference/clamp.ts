// CPU reference for shaders/clamp.wgsl: projection onto the L∞ ball of `radius` around `centre`. f64.

export function clampToBallRef(
  param: ArrayLike<number>,
  centre: ArrayLike<number>,
  radius: number,
): Float64Array {
  return Float64Array.from(param, (v, i) => Math.min(Math.max(v, centre[i] - radius), centre[i] + radius));
}
