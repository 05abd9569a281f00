// layernorm.wgsl: torch.nn.LayerNorm over the last dim (biased variance), as in GPT-2's ln_1 / ln_2 / ln_f:
//   forward   mean = Σx/C,  rstd = 1/√(Σ(x − mean)²/C + eps),  xhat = (x − mean)·rstd,  out = xhat·w + b
//   backward  dnorm = dout·w
//             dinp += rstd·(dnorm − mean_c(dnorm) − xhat·mean_c(dnorm·xhat))        (llm.c layernorm_backward)
//             dweight += Σ_n dout·xhat,   dbias += Σ_n dout
// The forward saves mean (N) and rstd (N) for the backward, which recomputes xhat from inp.
//
// Row reductions: a workgroup of 64 invocations holds 64 / LANES rows, LANES invocations per row.
//   LANES = 1  (CPU adapters, or small C): one invocation per row, a plain serial loop; the reductions compile
//              to nothing, so there is no barrier at all. SwiftShader and lavapipe run invocations as SIMD lanes
//              and pay heavily per barrier, and a row of C = 768 is only a few thousand flops.
//              Measured (N = 256, C = 768, forward + backward): 12 ms vs 58 ms on SwiftShader, 2–4 vs 10 ms on
//              lavapipe, for LANES = 1 vs 64.
//   LANES = 64 (GPUs): one workgroup per row, coalesced strided reads, then a log2(64)-step tree reduction in
//              workgroup memory (vec2, so both sums of a pass share its barriers).
// Row kernels: 1-D dispatch of min(ceil(N / (64 / LANES)), 65535) groups, looping over rows grid-stride (the
// loop bound is workgroup-uniform, so the barriers stay in uniform control flow).
// Parameter gradients (layernorm_backward_params): deterministic column sums without atomics, one invocation
// per channel walking the rows in order; 1-D dispatch of min(ceil(C / 64), 65535) groups, grid-stride.

struct Params { N: u32, C: u32, eps: f32 }

const WORKGROUP = 64u;
override LANES: u32 = 1u; // invocations per row: a power of two dividing 64

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> fwd_inp: array<f32>;          // (N, C)
@group(0) @binding(2) var<storage, read> fwd_weight: array<f32>;       // (C)
@group(0) @binding(3) var<storage, read> fwd_bias: array<f32>;         // (C)
@group(0) @binding(4) var<storage, read_write> fwd_out: array<f32>;    // (N, C)  =
@group(0) @binding(5) var<storage, read_write> fwd_mean: array<f32>;   // (N)  =
@group(0) @binding(6) var<storage, read_write> fwd_rstd: array<f32>;   // (N)  =

@group(0) @binding(1) var<storage, read> bwd_dout: array<f32>;         // (N, C)
@group(0) @binding(2) var<storage, read> bwd_inp: array<f32>;          // (N, C)
@group(0) @binding(3) var<storage, read> bwd_weight: array<f32>;       // (C)
@group(0) @binding(4) var<storage, read> bwd_mean: array<f32>;         // (N)
@group(0) @binding(5) var<storage, read> bwd_rstd: array<f32>;         // (N)
@group(0) @binding(6) var<storage, read_write> bwd_dinp: array<f32>;   // (N, C)  +=

@group(0) @binding(1) var<storage, read> par_dout: array<f32>;         // (N, C)
@group(0) @binding(2) var<storage, read> par_inp: array<f32>;          // (N, C)
@group(0) @binding(3) var<storage, read> par_mean: array<f32>;         // (N)
@group(0) @binding(4) var<storage, read> par_rstd: array<f32>;         // (N)
@group(0) @binding(5) var<storage, read_write> par_dweight: array<f32>; // (C)  +=
@group(0) @binding(6) var<storage, read_write> par_dbias: array<f32>;  // (C)  +=

var<workgroup> partial: array<vec2<f32>, WORKGROUP>;

// Sums v over the LANES invocations sharing a row. Every invocation of the workgroup must call it.
fn row_sum(v: vec2<f32>, lid: u32) -> vec2<f32> {
  if (LANES == 1u) { return v; }
  partial[lid] = v;
  workgroupBarrier();
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    if (lid % LANES < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  let total = partial[lid - lid % LANES];
  workgroupBarrier(); // the next call overwrites partial
  return total;
}

@compute @workgroup_size(WORKGROUP)
fn layernorm_forward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
                     @builtin(num_workgroups) ng: vec3<u32>) {
  let rows_per_group = WORKGROUP / LANES;
  let lane = lid % LANES;
  for (var first = wid.x * rows_per_group; first < p.N; first += ng.x * rows_per_group) {
    let row = first + lid / LANES;
    let in_range = row < p.N;
    let x0 = row * p.C;
    var s = 0.0;
    if (in_range) { for (var c = lane; c < p.C; c += LANES) { s += fwd_inp[x0 + c]; } }
    let mean = row_sum(vec2(s, 0.0), lid).x / f32(p.C);
    var q = 0.0; // two passes (not Σx² − mean²): no cancellation when |mean| >> std
    if (in_range) { for (var c = lane; c < p.C; c += LANES) { let d = fwd_inp[x0 + c] - mean; q += d * d; } }
    let rstd = inverseSqrt(row_sum(vec2(q, 0.0), lid).x / f32(p.C) + p.eps);
    if (in_range) {
      for (var c = lane; c < p.C; c += LANES) {
        fwd_out[x0 + c] = (fwd_inp[x0 + c] - mean) * rstd * fwd_weight[c] + fwd_bias[c];
      }
      if (lane == 0u) { fwd_mean[row] = mean; fwd_rstd[row] = rstd; }
    }
  }
}

@compute @workgroup_size(WORKGROUP)
fn layernorm_backward(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
                      @builtin(num_workgroups) ng: vec3<u32>) {
  let rows_per_group = WORKGROUP / LANES;
  let lane = lid % LANES;
  for (var first = wid.x * rows_per_group; first < p.N; first += ng.x * rows_per_group) {
    let row = first + lid / LANES;
    let in_range = row < p.N;
    let x0 = row * p.C;
    var mean = 0.0;
    var rstd = 0.0;
    var sums = vec2(0.0); // (Σ dnorm, Σ dnorm·xhat)
    if (in_range) {
      mean = bwd_mean[row];
      rstd = bwd_rstd[row];
      for (var c = lane; c < p.C; c += LANES) {
        let dnorm = bwd_dout[x0 + c] * bwd_weight[c];
        sums += vec2(dnorm, dnorm * (bwd_inp[x0 + c] - mean) * rstd);
      }
    }
    let avg = row_sum(sums, lid) / f32(p.C);
    if (in_range) {
      for (var c = lane; c < p.C; c += LANES) {
        let dnorm = bwd_dout[x0 + c] * bwd_weight[c];
        let xhat = (bwd_inp[x0 + c] - mean) * rstd;
        bwd_dinp[x0 + c] += rstd * (dnorm - avg.x - xhat * avg.y);
      }
    }
  }
}

@compute @workgroup_size(WORKGROUP)
fn layernorm_backward_params(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var c = gid.x; c < p.C; c += ng.x * WORKGROUP) {
    var dw = 0.0;
    var db = 0.0;
    for (var n = 0u; n < p.N; n++) {
      let d = par_dout[n * p.C + c];
      dw += d * (par_inp[n * p.C + c] - par_mean[n]) * par_rstd[n];
      db += d;
    }
    par_dweight[c] += dw;
    par_dbias[c] += db;
  }
}
