// hyper_latent.wgsl: IBKE's cross-attention softmax with per-edit masking, and its Gaussian latent
// (method.md "IBKE" 2.–4.; Kingma & Welling 2014's reparameterisation; Alemi et al. 2017's VIB bound).
//   masked_softmax_forward  P[r, c] = softmax over {c : segC[c] = segR[r]} of S[r, c]; 0 elsewhere   (R, C) =
//                           (each edit's queries see only that edit's keys; S comes in already scaled by 1/√d)
//   softmax_backward        dS = P ⊙ (dP − Σ_c dP·P)   (torch softmax's backward; masked entries get 0)   (R, C) =
//   reparam_forward         z = μ + e^(lv/2)·ε with ε ~ N(0, 1) from a counter-based hash of (seed, i)
//                           (Box–Muller) when p.sample = 1, else z = μ and ε = 0 (editing; IBKE without IB);
//                           kl[i] = ½(μ² + e^lv − 1 − lv), the KL(N(μ, σ²) ‖ N(0, 1)) of each element.
//                           Saves ε for the backward.
//   reparam_backward        dμ = dz + k·μ,  dlv = ½·dz·ε·e^(lv/2) + ½·k·(e^lv − 1),  k = β/E (β·mean KL over edits)
// lv is clamped to ±30 inside exp (σ² in [1e-13, 1e13]) so a runaway head cannot overflow.
// Dispatch: softmax: one invocation per row (rows of at most a few hundred columns), 64 per group; reparam:
// one per element. Grid-stride everywhere.

struct Params { R: u32, C: u32, seed: u32, sample: u32, k: f32 }

const WG = 64u;
const LOWEST = -3.4028234e38;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> sm_s: array<f32>;           // (R, C)
@group(0) @binding(2) var<storage, read> sm_segr: array<u32>;        // (R)
@group(0) @binding(3) var<storage, read> sm_segc: array<u32>;        // (C)
@group(0) @binding(4) var<storage, read_write> sm_p: array<f32>;     // (R, C) =

@group(0) @binding(1) var<storage, read> sb_p: array<f32>;           // (R, C)
@group(0) @binding(2) var<storage, read> sb_dp: array<f32>;          // (R, C)
@group(0) @binding(3) var<storage, read_write> sb_ds: array<f32>;    // (R, C) =

@group(0) @binding(1) var<storage, read> rf_mu: array<f32>;          // (n = R·C)
@group(0) @binding(2) var<storage, read> rf_lv: array<f32>;          // (n)
@group(0) @binding(3) var<storage, read_write> rf_eps: array<f32>;   // (n) =
@group(0) @binding(4) var<storage, read_write> rf_z: array<f32>;     // (n) =
@group(0) @binding(5) var<storage, read_write> rf_kl: array<f32>;    // (n) =

@group(0) @binding(3) var<storage, read> rb_eps: array<f32>;         // (n)
@group(0) @binding(4) var<storage, read> rb_dz: array<f32>;          // (n)
@group(0) @binding(5) var<storage, read_write> rb_dmu: array<f32>;   // (n) =
@group(0) @binding(6) var<storage, read_write> rb_dlv: array<f32>;   // (n) =

@compute @workgroup_size(WG)
fn masked_softmax_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var r = gid.x; r < p.R; r += ng.x * WG) {
    let seg = sm_segr[r];
    var m = LOWEST;
    for (var c = 0u; c < p.C; c++) {
      if (sm_segc[c] == seg) { m = max(m, sm_s[r * p.C + c]); }
    }
    var total = 0.0;
    for (var c = 0u; c < p.C; c++) {
      if (sm_segc[c] == seg) { total += exp(sm_s[r * p.C + c] - m); }
    }
    for (var c = 0u; c < p.C; c++) {
      let keep = sm_segc[c] == seg;
      sm_p[r * p.C + c] = select(0.0, exp(sm_s[r * p.C + c] - m) / total, keep);
    }
  }
}

@compute @workgroup_size(WG)
fn softmax_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var r = gid.x; r < p.R; r += ng.x * WG) {
    var dot = 0.0;
    for (var c = 0u; c < p.C; c++) { dot += sb_dp[r * p.C + c] * sb_p[r * p.C + c]; }
    for (var c = 0u; c < p.C; c++) {
      let k = r * p.C + c;
      sb_ds[k] = sb_p[k] * (sb_dp[k] - dot);
    }
  }
}

// A 32-bit integer hash (Jarzynski & Olano 2020, "Hash Functions for GPU Rendering": pcg) → uniform in (0, 1).
fn uniform01(x: u32) -> f32 {
  var h = x * 747796405u + 2891336453u;
  h = ((h >> ((h >> 28u) + 4u)) ^ h) * 277803737u;
  h = (h >> 22u) ^ h;
  return (f32(h >> 8u) + 0.5) / 16777216.0;
}

@compute @workgroup_size(WG)
fn reparam_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.R * p.C; i += ng.x * WG) {
    let mu = rf_mu[i];
    let lv = clamp(rf_lv[i], -30.0, 30.0);
    var eps = 0.0;
    if (p.sample == 1u) {
      let key = p.seed * 0x9E3779B9u;
      let u1 = uniform01(key ^ (2u * i));
      let u2 = uniform01(uniform01_bits(key, i));
      eps = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    }
    rf_eps[i] = eps;
    rf_z[i] = mu + exp(0.5 * lv) * eps;
    rf_kl[i] = 0.5 * (mu * mu + exp(lv) - 1.0 - lv);
  }
}

// A second, independent stream for Box–Muller's angle.
fn uniform01_bits(key: u32, i: u32) -> u32 {
  return (key + 0x85EBCA6Bu) ^ ((2u * i + 1u) * 0xC2B2AE35u);
}

@compute @workgroup_size(WG)
fn reparam_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.R * p.C; i += ng.x * WG) {
    let lv = clamp(rf_lv[i], -30.0, 30.0);
    let mu = rf_mu[i];
    rb_dmu[i] = rb_dz[i] + p.k * mu;
    rb_dlv[i] = 0.5 * rb_dz[i] * rb_eps[i] * exp(0.5 * lv) + 0.5 * p.k * (exp(lv) - 1.0);
  }
}
