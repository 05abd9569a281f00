// attention_gqa.wgsl: causal grouped-query attention (Ainslie et al. 2023; HF LlamaAttention / Qwen3Attention
// between the q/k/v projections, after RoPE, and o_proj): NH query heads share NKV key/value heads, query head h
// reads kv head h / (NH / NKV); head_dim HD is independent of the model width. out = softmax(q·kᵀ·scale)·v.
// Same scheme as attention.wgsl: no workgroup memory, no barriers, no atomics, each output written by one
// invocation (deterministic; what CPU adapters want).
//
// Layouts (strided, so GPT-2's fused qkv rows and a KV cache read in place):
//   q element (b, t, h, d)  at q[(b·Tq + t)·qStride + qOff + h·HD + d]            t < Tq (the new rows)
//   k element (b, j, g, d)  at k[(b·S + j)·kvStride + kOff + g·HD + d]            j < S  (cache capacity)
//   v element (b, j, g, d)  at v[(b·S + j)·kvStride + vOff + g·HD + d]
//   out (B, Tq, NH·HD);  att (B, NH, Tq, S), row (b, h, t) at ((b·NH + h)·Tq + t)·S
// Query t sits at absolute position pos0 + t and attends to keys j ≤ pos0 + t (pos0 = the cached length).
//
// attention_gqa_forward: one invocation per (b, h, t): scores and their max, exp, then out = Σ p_j v_j. Saves
//   att = the probabilities, 0 past the causal limit.
// The backward is for training layouts only (pos0 = 0, S = Tq = T; the wrapper checks):
// attention_gqa_backward_query: one invocation per (b, h, t): dp_j = dout_t·v_j, dpre_j = p_j (dp_j − Σ_i p_i dp_i)
//   into scratch, dq_t = scale·Σ_j dpre_j k_j.  dq (B, T, NH·HD) contiguous.
// attention_gqa_backward_key: one invocation per (b, g, key j), after the query pass: dk_j and dv_j summed over
//   the NH/NKV query heads of group g and queries t ≥ j.  dk, dv (B, T, NKV·HD) contiguous.
// Dispatch: workgroup 64, ceil(cells / 64) groups along x spilling into y past 65535; cells = B·NH·Tq for the
//   forward and the query pass, B·NKV·T for the key pass.

struct Params {
  B: u32, Tq: u32, S: u32, pos0: u32, NH: u32, NKV: u32, HD: u32,
  qStride: u32, qOff: u32, kvStride: u32, kOff: u32, vOff: u32, scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;

// attention_gqa_forward
@group(0) @binding(1) var<storage, read> f_q: array<f32>;
@group(0) @binding(2) var<storage, read> f_k: array<f32>;
@group(0) @binding(3) var<storage, read> f_v: array<f32>;
@group(0) @binding(4) var<storage, read_write> f_out: array<f32>;     // (B, Tq, NH·HD)  =
@group(0) @binding(5) var<storage, read_write> f_att: array<f32>;     // (B, NH, Tq, S)  =

// attention_gqa_backward_query
@group(0) @binding(1) var<storage, read> bq_dout: array<f32>;         // (B, T, NH·HD)
@group(0) @binding(2) var<storage, read> bq_k: array<f32>;
@group(0) @binding(3) var<storage, read> bq_v: array<f32>;
@group(0) @binding(4) var<storage, read> bq_att: array<f32>;          // (B, NH, T, T)
@group(0) @binding(5) var<storage, read_write> bq_dq: array<f32>;     // (B, T, NH·HD)  =
@group(0) @binding(6) var<storage, read_write> bq_dpre: array<f32>;   // (B, NH, T, T)  scratch, j ≤ t

// attention_gqa_backward_key
@group(0) @binding(1) var<storage, read> bk_dout: array<f32>;         // (B, T, NH·HD)
@group(0) @binding(2) var<storage, read> bk_q: array<f32>;
@group(0) @binding(3) var<storage, read> bk_att: array<f32>;          // (B, NH, T, T)
@group(0) @binding(4) var<storage, read> bk_dpre: array<f32>;         // (B, NH, T, T)
@group(0) @binding(5) var<storage, read_write> bk_dk: array<f32>;     // (B, T, NKV·HD)  =
@group(0) @binding(6) var<storage, read_write> bk_dv: array<f32>;     // (B, T, NKV·HD)  =

// Cell i of a grid of (b, head, t) with `heads` heads and `rows` positions per batch.
struct Cell { b: u32, h: u32, t: u32, ok: bool }

fn cell_of(gid: vec3<u32>, groups: vec3<u32>, heads: u32, rows: u32) -> Cell {
  let i = gid.x + gid.y * groups.x * 64u;
  let t = i % rows;
  let bh = i / rows;
  return Cell(bh / heads, bh % heads, t, bh < p.B * heads);
}

fn q_at(b: u32, t: u32, h: u32) -> u32 { return (b * p.Tq + t) * p.qStride + p.qOff + h * p.HD; }
fn k_at(b: u32, j: u32, g: u32) -> u32 { return (b * p.S + j) * p.kvStride + p.kOff + g * p.HD; }
fn v_at(b: u32, j: u32, g: u32) -> u32 { return (b * p.S + j) * p.kvStride + p.vOff + g * p.HD; }
fn o_at(b: u32, t: u32, h: u32) -> u32 { return ((b * p.Tq + t) * p.NH + h) * p.HD; }
fn att_row(b: u32, h: u32, t: u32) -> u32 { return ((b * p.NH + h) * p.Tq + t) * p.S; }

@compute @workgroup_size(64)
fn attention_gqa_forward(@builtin(global_invocation_id) gid: vec3<u32>,
                         @builtin(num_workgroups) groups: vec3<u32>) {
  let c = cell_of(gid, groups, p.NH, p.Tq);
  if (!c.ok) { return; }
  let g = c.h / (p.NH / p.NKV);
  let last = min(p.pos0 + c.t, p.S - 1u);
  let q = q_at(c.b, c.t, c.h);
  let row = att_row(c.b, c.h, c.t);
  var mx = -3.4028234e38;
  for (var j = 0u; j <= last; j++) {
    let k = k_at(c.b, j, g);
    var s = 0.0;
    for (var d = 0u; d < p.HD; d++) { s += f_q[q + d] * f_k[k + d]; }
    s *= p.scale;
    f_att[row + j] = s;
    mx = max(mx, s);
  }
  var sum = 0.0;
  for (var j = 0u; j <= last; j++) {
    let e = exp(f_att[row + j] - mx);
    f_att[row + j] = e;
    sum += e;
  }
  let inv = 1.0 / sum;
  let o = o_at(c.b, c.t, c.h);
  for (var d = 0u; d < p.HD; d++) {
    var acc = 0.0;
    for (var j = 0u; j <= last; j++) { acc += f_att[row + j] * f_v[v_at(c.b, j, g) + d]; }
    f_out[o + d] = acc * inv;
  }
  for (var j = 0u; j <= last; j++) { f_att[row + j] *= inv; }
  for (var j = last + 1u; j < p.S; j++) { f_att[row + j] = 0.0; }
}

@compute @workgroup_size(64)
fn attention_gqa_backward_query(@builtin(global_invocation_id) gid: vec3<u32>,
                                @builtin(num_workgroups) groups: vec3<u32>) {
  let c = cell_of(gid, groups, p.NH, p.Tq);
  if (!c.ok) { return; }
  let g = c.h / (p.NH / p.NKV);
  let row = att_row(c.b, c.h, c.t);
  let o = o_at(c.b, c.t, c.h);
  var dot_p_dp = 0.0;
  for (var j = 0u; j <= c.t; j++) {
    let v = v_at(c.b, j, g);
    var s = 0.0;
    for (var d = 0u; d < p.HD; d++) { s += bq_dout[o + d] * bq_v[v + d]; }
    bq_dpre[row + j] = s;
    dot_p_dp += bq_att[row + j] * s;
  }
  for (var j = 0u; j <= c.t; j++) { bq_dpre[row + j] = bq_att[row + j] * (bq_dpre[row + j] - dot_p_dp); }
  for (var d = 0u; d < p.HD; d++) {
    var acc = 0.0;
    for (var j = 0u; j <= c.t; j++) { acc += bq_dpre[row + j] * bq_k[k_at(c.b, j, g) + d]; }
    bq_dq[o + d] = acc * p.scale;
  }
}

@compute @workgroup_size(64)
fn attention_gqa_backward_key(@builtin(global_invocation_id) gid: vec3<u32>,
                              @builtin(num_workgroups) groups: vec3<u32>) {
  let c = cell_of(gid, groups, p.NKV, p.Tq);
  if (!c.ok) { return; }
  let g = c.h; // this invocation owns kv head g at key position j
  let j = c.t;
  let group = p.NH / p.NKV;
  let dkv = ((c.b * p.Tq + j) * p.NKV + g) * p.HD;
  for (var d = 0u; d < p.HD; d++) {
    var acc_k = 0.0;
    var acc_v = 0.0;
    for (var h = g * group; h < (g + 1u) * group; h++) {
      for (var t = j; t < p.Tq; t++) {
        let e = att_row(c.b, h, t) + j;
        acc_k += bk_dpre[e] * bk_q[q_at(c.b, t, h) + d];
        acc_v += bk_att[e] * bk_dout[o_at(c.b, t, h) + d];
      }
    }
    bk_dk[dkv + d] = acc_k * p.scale;
    bk_dv[dkv + d] = acc_v;
  }
}
