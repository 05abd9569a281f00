// matmul.wgsl: C = op(A) · op(B) (+ bias) (+ C), register-blocked, no workgroup memory.
// The variant for CPU adapters (SwiftShader, lavapipe), where barriers cost far more than they save.
//
//   A: (M, K) row-major, or (K, M) when TRANS_A        B: (K, N) row-major, or (N, K) when TRANS_B
//   bias: (N) when HAS_BIAS                           C: (M, N); ACCUMULATE adds into it (gradients: +=)
// Dispatch: workgroup 8x8, each invocation computes a 4x4 block: (ceil(N/32), ceil(M/32)) workgroups.
// GPT-2's linear layers (Conv1D, y = x W + b with W (in, out)) are TRANS_A = TRANS_B = 0; the backward uses
// dx = dy · Wᵀ (TRANS_B) and dW += xᵀ · dy (TRANS_A, ACCUMULATE).

struct Params { M: u32, N: u32, K: u32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;        // (M, K) or (K, M)
@group(0) @binding(2) var<storage, read> B: array<f32>;        // (K, N) or (N, K)
@group(0) @binding(3) var<storage, read> bias: array<f32>;     // (N), or any 1-element buffer without bias
@group(0) @binding(4) var<storage, read_write> C: array<f32>;  // (M, N)

fn a_at(m: u32, k: u32) -> f32 {
  if (m >= p.M) { return 0.0; }
  if (TRANS_A) { return A[k * p.M + m]; }
  return A[m * p.K + k];
}

fn b_at(k: u32, n: u32) -> f32 {
  if (n >= p.N) { return 0.0; }
  if (TRANS_B) { return B[n * p.K + k]; }
  return B[k * p.N + n];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < p.K; k++) {
    let b = vec4<f32>(b_at(k, col0), b_at(k, col0 + 1u), b_at(k, col0 + 2u), b_at(k, col0 + 3u));
    for (var i = 0u; i < 4u; i++) {
      acc[i] += a_at(row0 + i, k) * b;
    }
  }
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + j;
      if (n >= p.N) { break; }
      var v = acc[i][j];
      if (HAS_BIAS) { v += bias[n]; }
      if (ACCUMULATE) { v += C[m * p.N + n]; }
      C[m * p.N + n] = v;
    }
  }
}
