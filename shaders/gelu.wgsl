// gelu.wgsl: GPT-2's tanh-approximated GELU (Hendrycks & Gimpel 2016; torch gelu(x, approximate='tanh'),
// HF's NewGELUActivation / "gelu_new"):
//   y = 0.5·x·(1 + tanh(u)),   u = √(2/π)·(x + 0.044715·x³)
// evaluated through the identity 0.5·(1 + tanh(u)) = σ(2u) = 1 / (1 + e^(−2u)), which avoids the cancellation
// in 1 + tanh(u) for negative x (where f32 tanh sits one ulp off −1):
//   y = x·s,  s = σ(2u)          dy/dx = s + x·2s(1 − s)·u′,  u′ = √(2/π)·(1 + 3·0.044715·x²)
// (2s(1 − s) is 0.5·sech²(u)). The forward saves nothing beyond its input; the backward recomputes s (llm.c).
// Overflow guard: x is clamped to ±10 before the cube and the exp (WGSL leaves overflow indeterminate, and
// x³ overflows f32 past 7e12); |2u| <= 87.3 keeps e^(−2u) finite. Past ±10, GELU is x or 0 and its slope 1 or 0
// to f32 precision, which the clamped formulas give (the far-negative forward tail returns 0 explicitly).
//
// Dispatch: 1-D, WORKGROUP invocations per group, min(ceil(n / WORKGROUP), 65535) groups, grid-stride loop.
// No workgroup memory, no barriers.

struct Params { n: u32 }

const WORKGROUP = 256u;
const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_COEFF = 0.044715;
const TAIL = 10.0;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> fwd_inp: array<f32>;         // (n)
@group(0) @binding(2) var<storage, read_write> fwd_out: array<f32>;   // (n)  =

@group(0) @binding(1) var<storage, read> bwd_inp: array<f32>;         // (n)  the forward's input
@group(0) @binding(2) var<storage, read> bwd_dout: array<f32>;        // (n)
@group(0) @binding(3) var<storage, read_write> bwd_dinp: array<f32>;  // (n)  =

// s = σ(2u(x)) = 0.5·(1 + tanh(u(x))) for x already clamped to ±TAIL.
fn half_one_plus_tanh(xc: f32) -> f32 {
  let u = SQRT_2_OVER_PI * (xc + GELU_COEFF * xc * xc * xc);
  return 1.0 / (1.0 + exp(-2.0 * u));
}

@compute @workgroup_size(WORKGROUP)
fn gelu_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    let x = fwd_inp[i];
    let s = half_one_plus_tanh(clamp(x, -TAIL, TAIL));
    fwd_out[i] = select(x * s, 0.0, x < -TAIL);
  }
}

@compute @workgroup_size(WORKGROUP)
fn gelu_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    let x = clamp(bwd_inp[i], -TAIL, TAIL);
    let s = half_one_plus_tanh(x);
    let du_dx = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_COEFF * x * x);
    bwd_dinp[i] = (s + 2.0 * x * s * (1.0 - s) * du_dx) * bwd_dout[i];
  }
}
