// adamw.wgsl: one torch.optim.AdamW step (Loshchilov & Hutter 2019, decoupled weight decay), per element,
// in the order of torch's single-tensor implementation:
//   g = grad·grad_scale                     (grad_scale: 1/batch for a mean, or a clipping factor)
//   p = p·(1 − lr·wd)                       decay, decoupled from the gradient
//   m = β1·m + (1 − β1)·g,   v = β2·v + (1 − β2)·g²
//   p = p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
// The step-dependent scalars (1 − lr·wd, lr / (1 − β1^t), 1 / √(1 − β2^t)) are computed in f64 by the wrapper
// and arrive in the uniforms, so a new step never recompiles. m and v (the optimizer state) persist between
// steps; the caller zeroes them before step 1.
//
// Dispatch: 1-D, WORKGROUP invocations per group, min(ceil(n / WORKGROUP), 65535) groups, grid-stride loop.
// No workgroup memory, no barriers.

struct Params {
  n: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  decay: f32,         // 1 − lr·weight_decay
  step_size: f32,     // lr / (1 − β1^t)
  inv_bc2_sqrt: f32,  // 1 / √(1 − β2^t)
  grad_scale: f32,
}

const WORKGROUP = 256u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;  // (n)  updated in place
@group(0) @binding(2) var<storage, read> grad: array<f32>;         // (n)
@group(0) @binding(3) var<storage, read_write> m: array<f32>;      // (n)  first moment, updated in place
@group(0) @binding(4) var<storage, read_write> v: array<f32>;      // (n)  second moment, updated in place

@compute @workgroup_size(WORKGROUP)
fn adamw_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    let g = grad[i] * p.grad_scale;
    let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
    let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    let denom = sqrt(vi) * p.inv_bc2_sqrt + p.eps;
    param[i] = param[i] * p.decay - p.step_size * mi / denom;
  }
}
