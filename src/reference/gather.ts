// CPU reference for shaders/gather.wgsl: row gather (torch.index_select, dim 0) and its adjoint. f64.

export interface GatherShape {
  R: number;
  C: number;
}

/** out[r] = inp[idx[r]], (R, C); an index past the end gives a zero row. */
export function gatherRowsRef(
  inp: ArrayLike<number>,
  idx: ArrayLike<number>,
  { R, C }: GatherShape,
): Float64Array {
  const rows = Math.floor(inp.length / C);
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++) {
    if (idx[r] >= rows) continue;
    for (let c = 0; c < C; c++) out[r * C + c] = inp[idx[r] * C + c];
  }
  return out;
}

/** Returns dinp with dout[r] added at row idx[r] (a new array); an index past the end is skipped. */
export function scatterAddRowsRef(
  dout: ArrayLike<number>,
  idx: ArrayLike<number>,
  dinpInit: ArrayLike<number>,
  { R, C }: GatherShape,
): Float64Array {
  const dinp = Float64Array.from(dinpInit);
  const rows = Math.floor(dinp.length / C);
  for (let r = 0; r < R; r++) {
    if (idx[r] >= rows) continue;
    for (let c = 0; c < C; c++) dinp[idx[r] * C + c] += dout[r * C + c];
  }
  return dinp;
}
