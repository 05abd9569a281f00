// CPU reference for shaders/matmul*.wgsl: C = op(A)·op(B) (+ bias) (+ C). f64 accumulation, the oracle for tests.

export interface MatmulShape {
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
}

export function matmulRef(
  a: Float32Array,
  b: Float32Array,
  { M, N, K, transA = false, transB = false }: MatmulShape,
  bias?: Float32Array,
  accumulateInto?: Float32Array,
): Float32Array {
  const c = accumulateInto ? Float32Array.from(accumulateInto) : new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = bias ? bias[n] : 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? a[k * M + m] : a[m * K + k];
        const bv = transB ? b[n * K + k] : b[k * N + n];
        s += av * bv;
      }
      c[m * N + n] += s;
    }
  }
  return c;
}
