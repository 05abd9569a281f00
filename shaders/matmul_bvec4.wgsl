// matmul_bvec4.wgsl: the contract of matmul.wgsl for any K, with vec4 loads of B only. The CPU-adapter variant
// when K is not a multiple of 4 (GPT-2's head gradient dx = dlogits · wte has K = 50,257) or A is transposed
// with M % 4 != 0 (the tied embedding's gradient dwte = dlogitsᵀ · x): A is read as scalars, which any layout
// allows; B must be (K, N) with N % 4 == 0 (the wrapper checks). No workgroup memory, no barriers.
//
//   A: (M, K), or (K, M) when TRANS_A      B: (K, N) row-major, read as vec4 over N
//   bias: (N) when HAS_BIAS                C: (M, N); ACCUMULATE adds into it
// Dispatch: workgroup 8x8, each invocation a 4x4 block of C: (ceil(N/32), ceil(M/32)) workgroups.
// Per k an invocation loads 4 scalars of A and one vec4 of B and does 16 FMAs; K is walked 4 at a time with a
// scalar tail so the loop body is unrolled without bounds checks.

struct Params { M: u32, N: u32, K: u32 }

override TRANS_A: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;        // (M, K) or (K, M)
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;  // (K, N/4)
@group(0) @binding(3) var<storage, read> bias: array<f32>;     // (N)
@group(0) @binding(4) var<storage, read_write> C: array<f32>;  // (M, N)

// A's column k over rows row0..row0+3; rows past M are clamped (their results are never stored).
fn a_col(row0: u32, k: u32) -> vec4<f32> {
  let last = p.M - 1u;
  let r = vec4<u32>(row0, min(row0 + 1u, last), min(row0 + 2u, last), min(row0 + 3u, last));
  if (TRANS_A) {
    let base = k * p.M;
    return vec4<f32>(A[base + r.x], A[base + r.y], A[base + r.z], A[base + r.w]);
  }
  return vec4<f32>(A[r.x * p.K + k], A[r.y * p.K + k], A[r.z * p.K + k], A[r.w * p.K + k]);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }
  let n4 = p.N / 4u;
  let c4 = col0 / 4u;
  var acc = mat4x4<f32>(); // acc[i] = output row row0+i over columns col0..col0+3
  let k_main = p.K & ~3u;
  for (var k = 0u; k < k_main; k += 4u) {
    // Columns of `a` are A's columns k..k+3 (over the 4 rows); the B rows k..k+3 form `b`.
    let a = transpose(mat4x4<f32>(a_col(row0, k), a_col(row0, k + 1u), a_col(row0, k + 2u), a_col(row0, k + 3u)));
    let b = mat4x4<f32>(B[k * n4 + c4], B[(k + 1u) * n4 + c4], B[(k + 2u) * n4 + c4], B[(k + 3u) * n4 + c4]);
    acc[0] += b * a[0];
    acc[1] += b * a[1];
    acc[2] += b * a[2];
    acc[3] += b * a[3];
  }
  for (var k = k_main; k < p.K; k++) {
    let a = a_col(row0, k);
    let b = B[k * n4 + c4];
    acc[0] += a.x * b;
    acc[1] += a.y * b;
    acc[2] += a.z * b;
    acc[3] += a.w * b;
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
