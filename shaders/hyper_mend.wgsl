// hyper_mend.wgsl: the nonlinearity of MEND's residual block (Mitchell et al. 2022, eq. 3; method.md "MEND"):
//   y = x + ReLU(s ⊙ a + o)      a = U V x + b (computed by matmul), s, o: per-layer scale and shift (D)
//   affine_relu_residual_forward         y (N, D) =
//   affine_relu_residual_backward        da = dy · [s·a + o > 0] · s          (N, D) =   (dx = dy is the caller's)
//   affine_relu_residual_backward_params ds += Σ_i dy·[·]·a,  do += Σ_i dy·[·]  (D)  one invocation per column,
//                                        looping over rows: deterministic, no atomics.
// The forward saves nothing beyond a (the mask is recomputed). Dispatch: 1-D grid-stride, 64 per group.

struct Params { N: u32, D: u32 }

const WG = 64u;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> f_x: array<f32>;            // (N, D)
@group(0) @binding(2) var<storage, read> f_a: array<f32>;            // (N, D)
@group(0) @binding(3) var<storage, read> f_s: array<f32>;            // (D)
@group(0) @binding(4) var<storage, read> f_o: array<f32>;            // (D)
@group(0) @binding(5) var<storage, read_write> f_y: array<f32>;      // (N, D) =

@group(0) @binding(1) var<storage, read> b_dy: array<f32>;           // (N, D)
@group(0) @binding(2) var<storage, read> b_a: array<f32>;            // (N, D)
@group(0) @binding(3) var<storage, read> b_s: array<f32>;            // (D)
@group(0) @binding(4) var<storage, read> b_o: array<f32>;            // (D)
@group(0) @binding(5) var<storage, read_write> b_da: array<f32>;     // (N, D) =

@group(0) @binding(5) var<storage, read_write> b_ds: array<f32>;     // (D) +=
@group(0) @binding(6) var<storage, read_write> b_do: array<f32>;     // (D) +=

@compute @workgroup_size(WG)
fn affine_relu_residual_forward(@builtin(global_invocation_id) gid: vec3<u32>,
                                @builtin(num_workgroups) ng: vec3<u32>) {
  for (var k = gid.x; k < p.N * p.D; k += ng.x * WG) {
    let j = k % p.D;
    f_y[k] = f_x[k] + max(f_s[j] * f_a[k] + f_o[j], 0.0);
  }
}

@compute @workgroup_size(WG)
fn affine_relu_residual_backward(@builtin(global_invocation_id) gid: vec3<u32>,
                                 @builtin(num_workgroups) ng: vec3<u32>) {
  for (var k = gid.x; k < p.N * p.D; k += ng.x * WG) {
    let j = k % p.D;
    let on = b_s[j] * b_a[k] + b_o[j] > 0.0;
    b_da[k] = select(0.0, b_dy[k] * b_s[j], on);
  }
}

@compute @workgroup_size(WG)
fn affine_relu_residual_backward_params(@builtin(global_invocation_id) gid: vec3<u32>,
                                        @builtin(num_workgroups) ng: vec3<u32>) {
  for (var j = gid.x; j < p.D; j += ng.x * WG) {
    var ds = 0.0;
    var dO = 0.0;
    for (var i = 0u; i < p.N; i++) {
      let k = i * p.D + j;
      if (b_s[j] * b_a[k] + b_o[j] > 0.0) {
        ds += b_dy[k] * b_a[k];
        dO += b_dy[k];
      }
    }
    b_ds[j] += ds;
    b_do[j] += dO;
  }
}
