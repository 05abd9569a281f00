// CPU reference for shaders/topk.wgsl: per row, the k largest values and their column indices, sorted
// descending, equal values ordered by the lower index (torch.topk(sorted=True) made deterministic).

export function topkRef(
  values: ArrayLike<number>,
  R: number,
  V: number,
  k: number,
): { index: Uint32Array; value: Float32Array } {
  const index = new Uint32Array(R * k);
  const value = new Float32Array(R * k);
  for (let r = 0; r < R; r++) {
    const at = (i: number) => values[r * V + i];
    // Larger value first, then lower index: the same total order as `better` in the shader.
    const order = Array.from({ length: V }, (_, i) => i).sort((a, b) =>
      at(a) > at(b) ? -1 : at(a) < at(b) ? 1 : a - b,
    );
    for (let j = 0; j < k; j++) {
      index[r * k + j] = order[j];
      value[r * k + j] = at(order[j]);
    }
  }
  return { index, value };
}
