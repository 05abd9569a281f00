// matmul_q_f16.wgsl: the shader-f16 sibling of matmul_q.wgsl (same formats, bindings, dispatch and results up to
// f16 rounding). Weights are dequantised straight to f16 and multiplied with A rounded to f16; products are summed
// in f16 over runs of 32 k (one quantization group) and each run's sum is added to an f32 accumulator, so the
// error grows with 32 terms, not with K. Chosen where the adapter has `shader-f16` (GPUs; lavapipe).
//
//   A: (M, K) f32 row-major                 W: the storage matrix (R, Cw): (K, N) row-major, or (N, K) when TRANS_B
//   bias: (N) when HAS_BIAS                  C: (M, N) f32; ACCUMULATE adds into it
//   FORMAT 0 = f16, 1 = q8_0, 2 = q4_0 (see matmul_q.wgsl / src/reference/quant.ts).
// Dispatch: workgroup 8x8, each invocation a 4x4 block of C: (ceil(N/32), ceil(M/32)) workgroups.

enable f16;

struct Params { M: u32, N: u32, K: u32 }

override FORMAT: u32 = 1u;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;        // (M, K)
@group(0) @binding(2) var<storage, read> W: array<f16>;        // packed (R, Cw), read as f16 (f16 format)
@group(0) @binding(3) var<storage, read> Q: array<u32>;        // packed (R, Cw) as words (q formats)
@group(0) @binding(4) var<storage, read> S: array<f16>;        // f16 scales (R, ceil(Cw/32))
@group(0) @binding(5) var<storage, read> bias: array<f32>;     // (N), or any 1-element buffer without bias
@group(0) @binding(6) var<storage, read_write> C: array<f32>;  // (M, N)

fn w_at(k: u32, n: u32) -> f16 {
  if (n >= p.N) { return 0.0h; }
  var r = k;
  var c = n;
  var cols = p.N;
  if (TRANS_B) { r = n; c = k; cols = p.K; }
  if (FORMAT == 0u) { return W[r * cols + c]; }
  let groups = (cols + 31u) / 32u;
  let s = S[r * groups + c / 32u];
  let idx = r * groups * 32u + c;
  if (FORMAT == 1u) {
    let byte = (Q[idx >> 2u] >> ((idx & 3u) * 8u)) & 0xffu;
    return s * f16(i32(byte << 24u) >> 24u);
  }
  let nib = (Q[idx >> 3u] >> ((idx & 7u) * 4u)) & 0xfu;
  return s * (f16(nib) - 8.0h);
}

fn a_at(m: u32, k: u32) -> f16 {
  if (m >= p.M) { return 0.0h; }
  return f16(A[m * p.K + k]);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= p.M || col0 >= p.N) { return; }
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += 32u) {
    var part = array<vec4<f16>, 4>(); // explicit: some drivers keep the previous iteration's values
    let k1 = min(p.K, k0 + 32u);
    for (var k = k0; k < k1; k++) {
      let w = vec4<f16>(w_at(k, col0), w_at(k, col0 + 1u), w_at(k, col0 + 2u), w_at(k, col0 + 3u));
      for (var i = 0u; i < 4u; i++) {
        part[i] += a_at(row0 + i, k) * w;
      }
    }
    for (var i = 0u; i < 4u; i++) {
      acc[i] += vec4<f32>(part[i]);
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
