// matmul_vec4.wgsl: the contract of matmul.wgsl, with vec4 loads. The fast variant for CPU adapters when the
// contiguous dimensions are multiples of 4 (the wrapper checks): K % 4 == 0 always; M % 4 == 0 with TRANS_A;
// N % 4 == 0 without TRANS_B. No workgroup memory, no barriers.
//
//   A: (M, K), or (K, M) when TRANS_A     B: (K, N), or (N, K) when TRANS_B
//   bias: (N) when HAS_BIAS               C: (M, N); ACCUMULATE adds into it
// Dispatch: workgroup 8x8, each invocation a 4x4 block of C: (ceil(N/32), ceil(M/32)) workgroups.
// Per step of 4 along K an invocation loads a 4x4 block of A and of B (8 vec4 loads) and does 64 FMAs as four
// mat4x4·vec4 products: acc[i] += Bblock · Arow_i, with Bblock's columns the B rows k..k+3.

struct Params { M: u32, N: u32, K: u32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<vec4<f32>>;  // (M, K/4) or (K, M/4)
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;  // (K, N/4) or (N, K/4)
@group(0) @binding(3) var<storage, read> bias: array<f32>;     // (N)
@group(0) @binding(4) var<storage, read_write> C: array<f32>;  // (M, N)

// Rows i = 0..3 of the A block at k0 (each a vec4 over k0..k0+3).
fn a_block(row0: u32, k0: u32) -> mat4x4<f32> {
  if (TRANS_A) {
    let m4 = p.M / 4u;
    // Columns are A's stored rows k0+kk (vec4 over m); transpose to get rows i.
    return transpose(mat4x4<f32>(A[k0 * m4 + row0 / 4u], A[(k0 + 1u) * m4 + row0 / 4u],
                                 A[(k0 + 2u) * m4 + row0 / 4u], A[(k0 + 3u) * m4 + row0 / 4u]));
  }
  let k4 = p.K / 4u;
  let last = p.M - 1u; // rows past M are clamped (their results are never stored)
  return mat4x4<f32>(A[min(row0, last) * k4 + k0 / 4u], A[min(row0 + 1u, last) * k4 + k0 / 4u],
                     A[min(row0 + 2u, last) * k4 + k0 / 4u], A[min(row0 + 3u, last) * k4 + k0 / 4u]);
}

// Columns kk = 0..3 hold B's row k0+kk over the block's 4 output columns.
fn b_block(col0: u32, k0: u32) -> mat4x4<f32> {
  if (TRANS_B) {
    let k4 = p.K / 4u;
    let last = p.N - 1u;
    return transpose(mat4x4<f32>(B[min(col0, last) * k4 + k0 / 4u], B[min(col0 + 1u, last) * k4 + k0 / 4u],
                                 B[min(col0 + 2u, last) * k4 + k0 / 4u], B[min(col0 + 3u, last) * k4 + k0 / 4u]));
  }
  let n4 = p.N / 4u;
  return mat4x4<f32>(B[k0 * n4 + col0 / 4u], B[(k0 + 1u) * n4 + col0 / 4u],
                     B[(k0 + 2u) * n4 + col0 / 4u], B[(k0 + 3u) * n4 + col0 / 4u]);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }
  var acc = mat4x4<f32>(); // acc[i] = output row row0+i over columns col0..col0+3
  for (var k0 = 0u; k0 < p.K; k0 += 4u) {
    let a = a_block(row0, k0);
    let b = b_block(col0, k0);
    acc[0] += b * a[0];
    acc[1] += b * a[1];
    acc[2] += b * a[2];
    acc[3] += b * a[3];
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
