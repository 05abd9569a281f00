// matmul_gemv.wgsl: C = op(A) · op(B) (+ bias) (+ C) for a few rows (M = ROWS ≤ 4): the lm_head and every
// linear layer in one-token decode. The tiled/blocked kernels spend a 4x4 (or 64x64) block per invocation and
// waste 3/4 (63/64) of it at M = 1; here each invocation owns 4 output columns for all ROWS rows, so the work
// is spread over N/4 invocations and B (the weight) is streamed once, with vec4 loads. No workgroup memory.
//
//   A: (ROWS, K) row-major, or (K, ROWS) when TRANS_A; read as scalars (it is tiny)
//   B: (K, N) row-major as vec4 over N (N % 4 == 0), or (N, K) when TRANS_B as vec4 over K (K % 4 == 0)
//   bias: (N) when HAS_BIAS                C: (ROWS, N); ACCUMULATE adds into it
// Dispatch: workgroup 64, one invocation per 4 output columns: (ceil(N/256)) workgroups.
// ROWS is a pipeline constant so the row loops unroll and M = 1 does a quarter of M = 4's arithmetic.

struct Params { M: u32, N: u32, K: u32 }

override ROWS: u32 = 1u;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;        // (ROWS, K) or (K, ROWS)
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;  // (K, N/4) or (N, K/4)
@group(0) @binding(3) var<storage, read> bias: array<f32>;     // (N)
@group(0) @binding(4) var<storage, read_write> C: array<f32>;  // (ROWS, N)

fn a_at(m: u32, k: u32) -> f32 {
  if (TRANS_A) { return A[k * ROWS + m]; }
  return A[m * p.K + k];
}

fn a4(m: u32, k0: u32) -> vec4<f32> {
  return vec4<f32>(a_at(m, k0), a_at(m, k0 + 1u), a_at(m, k0 + 2u), a_at(m, k0 + 3u));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col0 = gid.x * 4u;
  if (col0 >= p.N) { return; }
  var acc: array<vec4<f32>, 4>; // acc[i] = output row i over columns col0..col0+3
  if (TRANS_B) {
    // Column col0+j is B's row col0+j; clamp rows past N (their results are never stored).
    let k4 = p.K / 4u;
    let last = p.N - 1u;
    let r0 = min(col0, last) * k4;
    let r1 = min(col0 + 1u, last) * k4;
    let r2 = min(col0 + 2u, last) * k4;
    let r3 = min(col0 + 3u, last) * k4;
    for (var kk = 0u; kk < k4; kk++) {
      let b0 = B[r0 + kk];
      let b1 = B[r1 + kk];
      let b2 = B[r2 + kk];
      let b3 = B[r3 + kk];
      for (var i = 0u; i < ROWS; i++) {
        let a = a4(i, kk * 4u);
        acc[i] += vec4<f32>(dot(a, b0), dot(a, b1), dot(a, b2), dot(a, b3));
      }
    }
  } else {
    let n4 = p.N / 4u;
    let c4 = col0 / 4u;
    // Four k per iteration (a mat4 of B rows times a vec4 of A): a CPU adapter's per-iteration cost is
    // comparable to the body's, so the one-k loop ran at half the speed. Scalar tail for K % 4.
    let k_main = p.K & ~3u;
    for (var k = 0u; k < k_main; k += 4u) {
      let b = mat4x4<f32>(B[k * n4 + c4], B[(k + 1u) * n4 + c4], B[(k + 2u) * n4 + c4], B[(k + 3u) * n4 + c4]);
      for (var i = 0u; i < ROWS; i++) {
        acc[i] += b * a4(i, k);
      }
    }
    for (var k = k_main; k < p.K; k++) {
      let b = B[k * n4 + c4];
      for (var i = 0u; i < ROWS; i++) {
        acc[i] += a_at(i, k) * b;
      }
    }
  }
  for (var i = 0u; i < ROWS; i++) {
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + j;
      if (n >= p.N) { break; }
      var v = acc[i][j];
      if (HAS_BIAS) { v += bias[n]; }
      if (ACCUMULATE) { v += C[i * p.N + n]; }
      C[i * p.N + n] = v;
    }
  }
}
