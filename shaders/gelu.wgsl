// gelu.wgsl: GPT-2's tanh-approximated GELU (Hendrycks & Gimpel 2016, eq. for "approximately";
// torch.nn.functional.gelu(x, approximate='tanh'), HF's NewGELUActivation / "gelu_new"):
//   y = 0.5·x·(1 + tanh(u)),   u = √(2/π)·(x + 0.044715·x³)
//   dy/dx = 0.5·(1 + tanh(u)) + 0.5·x·(1 − tanh²(u))·√(2/π)·(1 + 3·0.044715·x²)
// The forward saves nothing beyond its input: the backward recomputes tanh(u) from `inp` (llm.c does the same).
// Overflow guard: tanh is evaluated on u clamped to ±10 (tanh(10) is 1.0 in f32), so tanh never sees ±inf
// (x³ overflows for |x| > 7e12) and exp-based tanh implementations never see inf/inf. The backward evaluates
// its polynomial at x clamped to ±10, where the sech² term is already 0 in f32, so x² never overflows into
// 0·inf = NaN; past ±10 the derivative is exactly 1 or 0, as in f32 PyTorch.
//
// Dispatch: 1-D, WORKGROUP invocations per group, min(ceil(n / WORKGROUP), 65535) groups, grid-stride loop.
// No workgroup memory, no barriers.

struct Params { n: u32 }

const WORKGROUP = 256u;
const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_COEFF = 0.044715;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> fwd_inp: array<f32>;         // (n)
@group(0) @binding(2) var<storage, read_write> fwd_out: array<f32>;   // (n)  =

@group(0) @binding(1) var<storage, read> bwd_inp: array<f32>;         // (n)  the forward's input
@group(0) @binding(2) var<storage, read> bwd_dout: array<f32>;        // (n)
@group(0) @binding(3) var<storage, read_write> bwd_dinp: array<f32>;  // (n)  =

fn tanh_of_u(x: f32) -> f32 {
  let u = SQRT_2_OVER_PI * (x + GELU_COEFF * x * x * x);
  return tanh(clamp(u, -10.0, 10.0));
}

@compute @workgroup_size(WORKGROUP)
fn gelu_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    let x = fwd_inp[i];
    fwd_out[i] = 0.5 * x * (1.0 + tanh_of_u(x));
  }
}

@compute @workgroup_size(WORKGROUP)
fn gelu_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    let x = clamp(bwd_inp[i], -10.0, 10.0);
    let t = tanh_of_u(x);
    let du_dx = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_COEFF * x * x);
    let grad = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du_dx;
    bwd_dinp[i] = grad * bwd_dout[i];
  }
}
