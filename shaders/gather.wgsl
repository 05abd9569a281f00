// gather.wgsl: row gather and its adjoint, so the engine computes logits only at the rows it needs
// (the last real token of each prompt, or the target positions of an edit).
//   gather_rows        out[r, c] = inp[idx[r], c]        torch.index_select(inp, 0, idx)
//   scatter_add_rows   dinp[idx[r], c] += dout[r, c]     index_select's backward (index_add_); idx must be
//                                                        distinct, so no two invocations write the same element
// An index past the end of inp gathers a zero row and scatters nothing (never out-of-bounds memory).
// Saves nothing: the backward needs only idx.
//
// Dispatch (both entries): 1-D, WORKGROUP invocations per group, one per (r, c), min(ceil(R·C / WORKGROUP),
// 65535) groups, grid-stride loop. No workgroup memory, no barriers.

struct Params { R: u32, C: u32 }

const WORKGROUP = 256u;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> g_inp: array<f32>;           // (N, C)
@group(0) @binding(2) var<storage, read> g_idx: array<u32>;           // (R)
@group(0) @binding(3) var<storage, read_write> g_out: array<f32>;     // (R, C)  =

@group(0) @binding(1) var<storage, read> s_dout: array<f32>;          // (R, C)
@group(0) @binding(2) var<storage, read> s_idx: array<u32>;           // (R), distinct
@group(0) @binding(3) var<storage, read_write> s_dinp: array<f32>;    // (N, C)  +=

@compute @workgroup_size(WORKGROUP)
fn gather_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let rows = arrayLength(&g_inp) / p.C;
  for (var i = gid.x; i < p.R * p.C; i += ng.x * WORKGROUP) {
    let r = i / p.C;
    let src = g_idx[r];
    var value = 0.0;
    if (src < rows) { value = g_inp[src * p.C + (i - r * p.C)]; }
    g_out[i] = value;
  }
}

@compute @workgroup_size(WORKGROUP)
fn scatter_add_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let rows = arrayLength(&s_dinp) / p.C;
  for (var i = gid.x; i < p.R * p.C; i += ng.x * WORKGROUP) {
    let r = i / p.C;
    let dst = s_idx[r];
    if (dst < rows) { s_dinp[dst * p.C + (i - r * p.C)] += s_dout[i]; }
  }
}
