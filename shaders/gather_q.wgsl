// gather_q.wgsl: rows of a packed (V, C) token embedding, dequantised, optionally plus position rows:
//   out[r, c] = W[idx[r], c] (+ pos[r % T, c] when T > 0)
// W is stored in one of the engine's reduced-precision formats (src/reference/quant.ts): FORMAT 0 = f16 (2 per
// word, row-major, no padding), 1 = q8_0 (int8, 4 per word), 2 = q4_0 (nibble − 8, 8 per word); the q formats have
// one f16 scale per 32 elements of a row in S, rows padded to whole groups. It is the f32 gather (gather.wgsl,
// embedding.wgsl) for models whose tied embedding stays packed on the GPU: a Qwen3-1.7B embedding is 1.2 GB in
// f32, 330 MB in q8_0. An index >= V gives a zero row (plus its position row), never out-of-bounds memory.
//
// Bindings: p (R, C, V, T); W packed (V, C); S scales (V, ceil(C/32)) (any 1-word buffer for f16); idx (R) u32;
// pos (maxT, C) f32, maxT >= T (any 1-word buffer when T = 0); out (R, C) f32, overwritten.
// Dispatch: 1-D, WORKGROUP invocations per group, one per (r, c), min(ceil(R·C / WORKGROUP), 65535) groups,
// grid-stride loop. No workgroup memory, no barriers.

struct Params { R: u32, C: u32, V: u32, T: u32 }

const WORKGROUP = 256u;
override FORMAT: u32 = 1u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> W: array<u32>;            // packed (V, C)
@group(0) @binding(2) var<storage, read> S: array<u32>;            // f16 scales (V, ceil(C/32)), 2 per word
@group(0) @binding(3) var<storage, read> idx: array<u32>;          // (R)
@group(0) @binding(4) var<storage, read> pos: array<f32>;          // (maxT, C) when T > 0
@group(0) @binding(5) var<storage, read_write> out: array<f32>;    // (R, C)  =

fn half_w(i: u32) -> f32 {
  let pair = unpack2x16float(W[i >> 1u]);
  return select(pair.x, pair.y, (i & 1u) == 1u);
}
fn half_s(i: u32) -> f32 {
  let pair = unpack2x16float(S[i >> 1u]);
  return select(pair.x, pair.y, (i & 1u) == 1u);
}

// The value at (row, c) of the packed (V, C) matrix.
fn w_at(row: u32, c: u32) -> f32 {
  if (FORMAT == 0u) { return half_w(row * p.C + c); }
  let groups = (p.C + 31u) / 32u;
  let s = half_s(row * groups + c / 32u);
  let i = row * groups * 32u + c;
  if (FORMAT == 1u) {
    let byte = (W[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu;
    return s * f32(i32(byte << 24u) >> 24u);
  }
  let nib = (W[i >> 3u] >> ((i & 7u) * 4u)) & 0xfu;
  return s * (f32(nib) - 8.0);
}

@compute @workgroup_size(WORKGROUP)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.R * p.C; i += ng.x * WORKGROUP) {
    let r = i / p.C;
    let c = i - r * p.C;
    let src = idx[r];
    var v = 0.0;
    if (src < p.V) { v = w_at(src, c); }
    if (p.T > 0u) { v += pos[(r % p.T) * p.C + c]; }
    out[i] = v;
  }
}
