// attention.wgsl: causal multi-head self-attention, the part of GPT-2's CausalSelfAttention between c_attn and
// c_proj (torch: y = softmax(mask(q·kᵀ/√hs))·v per head), forward and backward. No workgroup memory, no
// barriers, no atomics: CPU adapters (SwiftShader, lavapipe) pay dearly for barriers, and every output is
// written by exactly one invocation, so results are deterministic.
//
// Layouts: qkv (B, T, 3C) = q | k | v along the last dim, head h at channels [h·hs, (h+1)·hs) of each third.
// Row (b, h, t) of att is att[((b·NH + h)·T + t)·T + j], j = key position.
//
// attention_forward: one invocation per (b, h, query t), two passes over the keys j ≤ t (scores and their max,
//   then exp), then out = Σ p_j v_j. Saves for the backward: att = the softmax probabilities, 0 above the
//   diagonal (so padding positions after a real token never leak into it).
// attention_backward_query: one invocation per (b, h, query t): datt_j = dout_t·v_j, then the softmax
//   backward dpre_j = p_j (datt_j − Σ_i p_i datt_i) into scratch (j ≤ t only), and dq_t = Σ_j dpre_j k_j / √hs.
// attention_backward_key: one invocation per (b, h, key j), after the query pass: dk_j = Σ_{t≥j} dpre_tj q_t / √hs
//   and dv_j = Σ_{t≥j} p_tj dout_t. Reads only scratch entries the query pass wrote.
// Dispatch (all three): workgroup 64, ceil(B·NH·T / 64) workgroups along x, spilling into y past 65535.

struct Params { B: u32, T: u32, C: u32, NH: u32, scale: f32 } // scale = 1/√hs

@group(0) @binding(0) var<uniform> p: Params;

// attention_forward
@group(0) @binding(1) var<storage, read> qkv: array<f32>;              // (B, T, 3C)
@group(0) @binding(2) var<storage, read_write> out: array<f32>;        // (B, T, C)      =
@group(0) @binding(3) var<storage, read_write> att: array<f32>;        // (B, NH, T, T)  =

// attention_backward_query / attention_backward_key
@group(0) @binding(1) var<storage, read> dout: array<f32>;             // (B, T, C)
@group(0) @binding(2) var<storage, read> qkv_in: array<f32>;           // (B, T, 3C)
@group(0) @binding(3) var<storage, read> att_in: array<f32>;           // (B, NH, T, T)
@group(0) @binding(4) var<storage, read_write> dqkv: array<f32>;       // (B, T, 3C)     = (q third / k,v thirds)
@group(0) @binding(5) var<storage, read_write> dpre: array<f32>;       // (B, NH, T, T)  scratch, j ≤ t written

// The (b, h, t) this invocation owns, or none past the end of the grid.
struct Cell { b: u32, h: u32, t: u32, ok: bool }

fn cell_of(gid: vec3<u32>, groups: vec3<u32>) -> Cell {
  let i = gid.x + gid.y * groups.x * 64u;
  let t = i % p.T;
  let bh = i / p.T;
  return Cell(bh / p.NH, bh % p.NH, t, bh < p.B * p.NH);
}

// Offset of channel 0 of head h's q (part 0), k (1) or v (2) at position t of batch b in a (B, T, 3C) tensor.
fn qkv_at(c: Cell, t: u32, part: u32) -> u32 {
  return (c.b * p.T + t) * 3u * p.C + part * p.C + c.h * (p.C / p.NH);
}

// Offset of head h's channel 0 at position t of batch b in a (B, T, C) tensor.
fn bt_at(c: Cell, t: u32) -> u32 {
  return (c.b * p.T + t) * p.C + c.h * (p.C / p.NH);
}

fn att_row(c: Cell, t: u32) -> u32 {
  return ((c.b * p.NH + c.h) * p.T + t) * p.T;
}

@compute @workgroup_size(64)
fn attention_forward(@builtin(global_invocation_id) gid: vec3<u32>,
                     @builtin(num_workgroups) groups: vec3<u32>) {
  let c = cell_of(gid, groups);
  if (!c.ok) { return; }
  let hs = p.C / p.NH;
  let q = qkv_at(c, c.t, 0u);
  let row = att_row(c, c.t);
  // Pass 1: scaled scores q·k_j/√hs (kept in att for now) and their max, for a stable softmax.
  var mx = -3.4028234e38; // lowest finite f32
  for (var j = 0u; j <= c.t; j++) {
    let k = qkv_at(c, j, 1u);
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s += qkv[q + d] * qkv[k + d]; }
    s *= p.scale;
    att[row + j] = s;
    mx = max(mx, s);
  }
  // Pass 2: unnormalized probabilities and their sum (≥ 1: the max term is exp(0)).
  var sum = 0.0;
  for (var j = 0u; j <= c.t; j++) {
    let e = exp(att[row + j] - mx);
    att[row + j] = e;
    sum += e;
  }
  let inv = 1.0 / sum;
  // out_t = Σ_j p_j v_j, one head channel at a time (no private accumulator array: any hs works).
  let o = bt_at(c, c.t);
  for (var d = 0u; d < hs; d++) {
    var acc = 0.0;
    for (var j = 0u; j <= c.t; j++) { acc += att[row + j] * qkv[qkv_at(c, j, 2u) + d]; }
    out[o + d] = acc * inv;
  }
  for (var j = 0u; j <= c.t; j++) { att[row + j] *= inv; }
  for (var j = c.t + 1u; j < p.T; j++) { att[row + j] = 0.0; }
}

@compute @workgroup_size(64)
fn attention_backward_query(@builtin(global_invocation_id) gid: vec3<u32>,
                            @builtin(num_workgroups) groups: vec3<u32>) {
  let c = cell_of(gid, groups);
  if (!c.ok) { return; }
  let hs = p.C / p.NH;
  let row = att_row(c, c.t);
  let g = bt_at(c, c.t);
  // datt_j = dout_t · v_j, and Σ_j p_j datt_j for the softmax backward (torch's _softmax_backward_data).
  var dot_p_datt = 0.0;
  for (var j = 0u; j <= c.t; j++) {
    let v = qkv_at(c, j, 2u);
    var s = 0.0;
    for (var d = 0u; d < hs; d++) { s += dout[g + d] * qkv_in[v + d]; }
    dpre[row + j] = s;
    dot_p_datt += att_in[row + j] * s;
  }
  for (var j = 0u; j <= c.t; j++) {
    dpre[row + j] = att_in[row + j] * (dpre[row + j] - dot_p_datt);
  }
  // dq_t = Σ_j dpre_j k_j / √hs
  let dq = qkv_at(c, c.t, 0u);
  for (var d = 0u; d < hs; d++) {
    var acc = 0.0;
    for (var j = 0u; j <= c.t; j++) { acc += dpre[row + j] * qkv_in[qkv_at(c, j, 1u) + d]; }
    dqkv[dq + d] = acc * p.scale;
  }
}

@compute @workgroup_size(64)
fn attention_backward_key(@builtin(global_invocation_id) gid: vec3<u32>,
                          @builtin(num_workgroups) groups: vec3<u32>) {
  let c = cell_of(gid, groups);
  if (!c.ok) { return; }
  let hs = p.C / p.NH;
  let j = c.t; // this invocation owns key/value position j
  let col = att_row(c, 0u) + j; // entry (t, j) is at col + t·T
  let dk = qkv_at(c, j, 1u);
  let dv = qkv_at(c, j, 2u);
  for (var d = 0u; d < hs; d++) {
    var acc_k = 0.0;
    var acc_v = 0.0;
    for (var t = j; t < p.T; t++) {
      acc_k += dpre[col + t * p.T] * qkv_in[qkv_at(c, t, 0u) + d];
      acc_v += att_in[col + t * p.T] * dout[bt_at(c, t) + d];
    }
    dqkv[dk + d] = acc_k * p.scale;
    dqkv[dv + d] = acc_v;
  }
}
