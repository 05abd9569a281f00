// rmsnorm.wgsl: RMSNorm over the last dim (Zhang & Sennrich 2019; HF LlamaRMSNorm / Qwen3RMSNorm), used for
// Llama/Qwen3's input_layernorm, post_attention_layernorm and final norm, and for Qwen3's per-head q/k norm
// (rows = token·head, C = head_dim, one weight shared by every head):
//   forward   rstd = 1/√(Σx²/C + eps),  xhat = x·rstd,  out = xhat·w
//   backward  dnorm = dout·w
//             dinp (+)= rstd·(dnorm − xhat·mean_c(dnorm·xhat))
//             dweight += Σ_n dout·xhat
// The forward saves rstd (N) for the backward, which recomputes xhat from inp.
// ACCUMULATE = 1 adds into dinp (norms on the residual stream, whose gradient sums over branches); 0 overwrites
// (q/k norm, whose input gradient is consumed by one projection's backward).
//
// Rows: one invocation per row, a serial loop, no workgroup memory and no barriers (what CPU adapters want; a
// shared-memory variant like layernorm.wgsl's LANES would help wide rows on GPUs).
// Dispatch (row kernels): 1-D, min(ceil(N / 64), 65535) groups, grid-stride over rows.
// rmsnorm_backward_weight: one invocation per channel walking the rows in order (deterministic, no atomics);
//   1-D, min(ceil(C / 64), 65535) groups, grid-stride.

struct Params { N: u32, C: u32, eps: f32 }

const WORKGROUP = 64u;
override ACCUMULATE: u32 = 1u;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> fwd_inp: array<f32>;          // (N, C)
@group(0) @binding(2) var<storage, read> fwd_weight: array<f32>;       // (C)
@group(0) @binding(3) var<storage, read_write> fwd_out: array<f32>;    // (N, C)  =
@group(0) @binding(4) var<storage, read_write> fwd_rstd: array<f32>;   // (N)  =

@group(0) @binding(1) var<storage, read> bwd_dout: array<f32>;         // (N, C)
@group(0) @binding(2) var<storage, read> bwd_inp: array<f32>;          // (N, C)
@group(0) @binding(3) var<storage, read> bwd_weight: array<f32>;       // (C)
@group(0) @binding(4) var<storage, read> bwd_rstd: array<f32>;         // (N)
@group(0) @binding(5) var<storage, read_write> bwd_dinp: array<f32>;   // (N, C)  += or =

@group(0) @binding(1) var<storage, read> par_dout: array<f32>;         // (N, C)
@group(0) @binding(2) var<storage, read> par_inp: array<f32>;          // (N, C)
@group(0) @binding(3) var<storage, read> par_rstd: array<f32>;         // (N)
@group(0) @binding(4) var<storage, read_write> par_dweight: array<f32>; // (C)  +=

@compute @workgroup_size(WORKGROUP)
fn rmsnorm_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var row = gid.x; row < p.N; row += ng.x * WORKGROUP) {
    let x0 = row * p.C;
    var q = 0.0;
    for (var c = 0u; c < p.C; c++) { let x = fwd_inp[x0 + c]; q += x * x; }
    let rstd = inverseSqrt(q / f32(p.C) + p.eps);
    for (var c = 0u; c < p.C; c++) { fwd_out[x0 + c] = fwd_inp[x0 + c] * rstd * fwd_weight[c]; }
    fwd_rstd[row] = rstd;
  }
}

@compute @workgroup_size(WORKGROUP)
fn rmsnorm_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var row = gid.x; row < p.N; row += ng.x * WORKGROUP) {
    let x0 = row * p.C;
    let rstd = bwd_rstd[row];
    var s = 0.0; // Σ dnorm·xhat
    for (var c = 0u; c < p.C; c++) { s += bwd_dout[x0 + c] * bwd_weight[c] * bwd_inp[x0 + c] * rstd; }
    let avg = s / f32(p.C);
    for (var c = 0u; c < p.C; c++) {
      let xhat = bwd_inp[x0 + c] * rstd;
      let g = rstd * (bwd_dout[x0 + c] * bwd_weight[c] - xhat * avg);
      if (ACCUMULATE == 1u) { bwd_dinp[x0 + c] += g; } else { bwd_dinp[x0 + c] = g; }
    }
  }
}

@compute @workgroup_size(WORKGROUP)
fn rmsnorm_backward_weight(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var c = gid.x; c < p.C; c += ng.x * WORKGROUP) {
    var dw = 0.0;
    for (var n = 0u; n < p.N; n++) { dw += par_dout[n * p.C + c] * par_inp[n * p.C + c] * par_rstd[n]; }
    par_dweight[c] += dw;
  }
}
