// CPU reference for shaders/embedding.wgsl (token + position embedding). f64, the oracle for tests.

export interface EmbeddingShape {
  N: number; // rows, N = B·T
  T: number;
  C: number;
}

/** out[n] = wte[ids[n]] + wpe[n % T], (N, C); an id past the end of wte contributes zeros. */
export function embeddingForwardRef(
  ids: ArrayLike<number>,
  wte: ArrayLike<number>,
  wpe: ArrayLike<number>,
  { N, T, C }: EmbeddingShape,
): Float64Array {
  const V = Math.floor(wte.length / C);
  const out = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    const id = ids[n];
    const t = n % T;
    for (let c = 0; c < C; c++) {
      out[n * C + c] = (id < V ? wte[id * C + c] : 0) + wpe[t * C + c];
    }
  }
  return out;
}

/** dwte += Σ over rows with that id, dwpe += Σ over the batch; returns updated copies of the accumulators. */
export function embeddingBackwardRef(
  ids: ArrayLike<number>,
  dout: ArrayLike<number>,
  dwteInit: ArrayLike<number>,
  dwpeInit: ArrayLike<number>,
  { N, T, C }: EmbeddingShape,
): { dwte: Float64Array; dwpe: Float64Array } {
  const dwte = Float64Array.from(dwteInit);
  const dwpe = Float64Array.from(dwpeInit);
  const V = Math.floor(dwte.length / C);
  for (let n = 0; n < N; n++) {
    const id = ids[n];
    const t = n % T;
    for (let c = 0; c < C; c++) {
      if (id < V) dwte[id * C + c] += dout[n * C + c];
      dwpe[t * C + c] += dout[n * C + c];
    }
  }
  return { dwte, dwpe };
}
