// residual.wgsl: elementwise vector ops of the residual stream and of gradient bookkeeping.
//   residual_forward  out = a + b            GPT-2's `x = x + attn(ln_1(x))`; out never aliases a or b
//   axpy              y += alpha·x            BLAS saxpy: adds a branch's gradient into the residual stream's
//   scale             x *= alpha (in place)   BLAS sscal: mean over a batch, gradient clipping
// residual_forward saves nothing: its backward is the identity on both inputs, so the model routes dout to
// both branches (with axpy where the gradient must accumulate).
//
// Dispatch: 1-D, WORKGROUP invocations per group, min(ceil(n / WORKGROUP), 65535) groups; every invocation
// walks a grid-stride loop, so any n fits the 65535-groups-per-dimension limit. No workgroup memory, no
// barriers. Each entry point has its own bindings (layout 'auto' gives each its own bind group layout).

struct Params { n: u32, alpha: f32 }

const WORKGROUP = 256u;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> res_a: array<f32>;          // (n)
@group(0) @binding(2) var<storage, read> res_b: array<f32>;          // (n)
@group(0) @binding(3) var<storage, read_write> res_out: array<f32>;  // (n)  =

@group(0) @binding(1) var<storage, read> axpy_x: array<f32>;         // (n)
@group(0) @binding(2) var<storage, read_write> axpy_y: array<f32>;   // (n)  +=

@group(0) @binding(1) var<storage, read_write> scale_x: array<f32>;  // (n)  *= in place

@compute @workgroup_size(WORKGROUP)
fn residual_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    res_out[i] = res_a[i] + res_b[i];
  }
}

@compute @workgroup_size(WORKGROUP)
fn axpy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    axpy_y[i] += p.alpha * axpy_x[i];
  }
}

@compute @workgroup_size(WORKGROUP)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    scale_x[i] *= p.alpha;
  }
}
