// matmul_q.wgsl: C = A · op(W) (+ bias) (+ C) with W in a reduced-precision format, dequantised in the kernel
// (src/reference/quant.ts has the formats and the CPU reference). f32 arithmetic; works on every adapter (the f16
// scales and f16 weights are read with unpack2x16float, core WGSL, no shader-f16 needed).
//
//   A: (M, K) f32 row-major                 W: the storage matrix (R, Cw): (K, N) row-major, or (N, K) when TRANS_B
//   bias: (N) when HAS_BIAS                  C: (M, N) f32; ACCUMULATE adds into it
//   FORMAT 0 = f16 (2 per word), 1 = q8_0 (int8, 4 per word), 2 = q4_0 (nibble − 8, 8 per word); q formats have
//   one f16 scale per 32 elements along Cw in S, rows padded to whole groups.
// Forward of an in_out weight (GPT-2 Conv1D): TRANS_B = 0; of out_in (nn.Linear): TRANS_B = 1. The input gradient
// δ·Wᵀ is the same kernel with the other TRANS_B. Quantized weights get no gradient of their own.
// Dispatch: workgroup 8x8, each invocation a 4x4 block of C: (ceil(N/32), ceil(M/32)) workgroups.

struct Params { M: u32, N: u32, K: u32 }

override FORMAT: u32 = 1u;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;        // (M, K)
@group(0) @binding(2) var<storage, read> W: array<u32>;        // packed (R, Cw)
@group(0) @binding(3) var<storage, read> S: array<u32>;        // f16 scales (R, ceil(Cw/32)), 2 per word
@group(0) @binding(4) var<storage, read> bias: array<f32>;     // (N), or any 1-element buffer without bias
@group(0) @binding(5) var<storage, read_write> C: array<f32>;  // (M, N)

// Element i of an array of packed f16 pairs (two functions: storage pointers cannot be parameters in core WGSL).
fn half_w(i: u32) -> f32 {
  let pair = unpack2x16float(W[i >> 1u]);
  return select(pair.x, pair.y, (i & 1u) == 1u);
}
fn half_s(i: u32) -> f32 {
  let pair = unpack2x16float(S[i >> 1u]);
  return select(pair.x, pair.y, (i & 1u) == 1u);
}

// The weight at logical (k, n) of op(W) (K, N).
fn w_at(k: u32, n: u32) -> f32 {
  if (n >= p.N) { return 0.0; }
  var r = k;
  var c = n;
  var cols = p.N;
  if (TRANS_B) { r = n; c = k; cols = p.K; }
  if (FORMAT == 0u) { return half_w(r * cols + c); }
  let groups = (cols + 31u) / 32u;
  let s = half_s(r * groups + c / 32u);
  let idx = r * groups * 32u + c;
  if (FORMAT == 1u) {
    let byte = (W[idx >> 2u] >> ((idx & 3u) * 8u)) & 0xffu;
    return s * f32(i32(byte << 24u) >> 24u);
  }
  let nib = (W[idx >> 3u] >> ((idx & 7u) * 4u)) & 0xfu;
  return s * (f32(nib) - 8.0);
}

fn a_at(m: u32, k: u32) -> f32 {
  if (m >= p.M) { return 0.0; }
  return A[m * p.K + k];
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < p.K; k++) {
    let w = vec4<f32>(w_at(k, col0), w_at(k, col0 + 1u), w_at(k, col0 + 2u), w_at(k, col0 + 3u));
    for (var i = 0u; i < 4u; i++) {
      acc[i] += a_at(row0 + i, k) * w;
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
