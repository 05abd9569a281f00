// hyper_norm.wgsl: MEND's input normalisation of the gradient factors (Mitchell et al. 2022, §3.1: u and δ are
// standardised per feature with running statistics collected during training, frozen at edit time).
//   norm_stats_update  per column j of x (rows, C): merges this batch's mean and M2 = Σ(x − mean)² into the
//                      running (mean, M2) with Chan et al.'s parallel Welford update; `count` = rows seen before.
//   standardize        out[i·ld + off + j] = (x[i, j] − mean[j]) / (√(M2[j] / (count − 1)) + eps), written into
//                      columns [off, off + C) of a wider (rows, ld) matrix: MEND's z = [ū; δ̄] without a concat.
//                      With count < 2 (no statistics yet) it copies x unchanged.
// stats is (2, C): row 0 the running mean, row 1 the running M2. The inputs are constants of the edit (no
// backward). Dispatch: 1-D, 64 invocations per group, grid-stride; norm_stats_update: one invocation per column
// (two passes over its rows, deterministic); standardize: one per element.

struct Params { rows: u32, C: u32, ld: u32, off: u32, count: f32, eps: f32 }

const WG = 64u;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> st_x: array<f32>;            // (rows, C)
@group(0) @binding(2) var<storage, read_write> st_stats: array<f32>;  // (2, C)  running mean, M2: updated

@group(0) @binding(1) var<storage, read> z_x: array<f32>;             // (rows, C)
@group(0) @binding(2) var<storage, read> z_stats: array<f32>;         // (2, C)
@group(0) @binding(3) var<storage, read_write> z_out: array<f32>;     // (rows, ld)  columns [off, off + C) =

@compute @workgroup_size(WG)
fn norm_stats_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var j = gid.x; j < p.C; j += ng.x * WG) {
    var s = 0.0;
    for (var i = 0u; i < p.rows; i++) { s += st_x[i * p.C + j]; }
    let nb = f32(p.rows);
    let mb = s / nb;
    var m2b = 0.0;
    for (var i = 0u; i < p.rows; i++) {
      let d = st_x[i * p.C + j] - mb;
      m2b += d * d;
    }
    let na = p.count;
    let n = na + nb;
    let ma = st_stats[j];
    let delta = mb - ma;
    st_stats[j] = ma + delta * nb / n;
    st_stats[p.C + j] = st_stats[p.C + j] + m2b + delta * delta * na * nb / n;
  }
}

@compute @workgroup_size(WG)
fn standardize(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let total = p.rows * p.C;
  for (var k = gid.x; k < total; k += ng.x * WG) {
    let i = k / p.C;
    let j = k % p.C;
    var v = z_x[k];
    if (p.count >= 2.0) {
      let sd = sqrt(max(z_stats[p.C + j], 0.0) / (p.count - 1.0));
      v = (v - z_stats[j]) / (sd + p.eps);
    }
    z_out[i * p.ld + p.off + j] = v;
  }
}
