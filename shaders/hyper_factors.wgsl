// hyper_factors.wgsl: the bookkeeping around the editors' networks: strided column copies with a per-row
// scale (split g = [ũ; δ̃] and scale it: left_t = −α_m·c_t·ũ_t, method.md eq. ΔW = −α_m Σ_t c_t ũ_t δ̃_tᵀ),
// their gradients, block sums, and softplus (IBKE's scale factor c = softplus(W_s s̃ + b_s)).
//   gather_columns_scaled  out[i, j] = sign·alpha[aIdx]·rowc[i]·src[i·ld + off + j]      out (rows, W) =
//   scatter_columns_scaled dst[i·ld + off + j] = sign·alpha[aIdx]·rowc[i]·x[i, j]        (its backward) =
//   scale_grads            g_i = Σ_j dout[i, j]·src[i·ld + off + j];  t[i] = sign·rowc[i]·g_i (∂/∂alpha per row)
//                          drow[i] = sign·alpha[aIdx]·g_i (∂/∂rowc)                         both (rows) =
//   sum_into               out[aIdx] += Σ_{i<rows} x[i]      one invocation (a few hundred values; deterministic)
//   sum_blocks             out[j] += Σ_{e<rows} x[e·W + j]   j < W (tile's backward: queries shared by edits)
//   softplus_forward       y = log(1 + eˣ), overflow-safe as max(x, 0) + log(1 + e^(−|x|))   (torch softplus)
//   softplus_backward      dx = dy·σ(x) =
// Dispatch: 1-D grid-stride, 64 per group (scale_grads: one invocation per row; sum_into: one group).

struct Params { rows: u32, W: u32, ld: u32, off: u32, aIdx: u32, sign: f32 }

const WG = 64u;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> g_src: array<f32>;          // (rows, ld)
@group(0) @binding(2) var<storage, read> g_alpha: array<f32>;        // (≥ aIdx + 1)
@group(0) @binding(3) var<storage, read> g_rowc: array<f32>;         // (rows)
@group(0) @binding(4) var<storage, read_write> g_out: array<f32>;    // (rows, W) =

@group(0) @binding(1) var<storage, read> s_x: array<f32>;            // (rows, W)
@group(0) @binding(4) var<storage, read_write> s_dst: array<f32>;    // (rows, ld) columns [off, off + W) =

@group(0) @binding(1) var<storage, read> d_dout: array<f32>;         // (rows, W)
@group(0) @binding(4) var<storage, read> d_src: array<f32>;          // (rows, ld)
@group(0) @binding(5) var<storage, read_write> d_t: array<f32>;      // (rows) =
@group(0) @binding(6) var<storage, read_write> d_drow: array<f32>;   // (rows) =

@group(0) @binding(1) var<storage, read> r_x: array<f32>;            // (rows, W) or (rows)
@group(0) @binding(2) var<storage, read_write> r_out: array<f32>;    // (W) or (aIdx + 1) +=

@group(0) @binding(1) var<storage, read> sp_x: array<f32>;           // (rows·W)
@group(0) @binding(2) var<storage, read_write> sp_y: array<f32>;     // (rows·W) =
@group(0) @binding(2) var<storage, read> sp_dy: array<f32>;          // (rows·W)
@group(0) @binding(3) var<storage, read_write> sp_dx: array<f32>;    // (rows·W) =

@compute @workgroup_size(WG)
fn gather_columns_scaled(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var k = gid.x; k < p.rows * p.W; k += ng.x * WG) {
    let i = k / p.W;
    g_out[k] = p.sign * g_alpha[p.aIdx] * g_rowc[i] * g_src[i * p.ld + p.off + k % p.W];
  }
}

@compute @workgroup_size(WG)
fn scatter_columns_scaled(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var k = gid.x; k < p.rows * p.W; k += ng.x * WG) {
    let i = k / p.W;
    s_dst[i * p.ld + p.off + k % p.W] = p.sign * g_alpha[p.aIdx] * g_rowc[i] * s_x[k];
  }
}

@compute @workgroup_size(WG)
fn scale_grads(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.rows; i += ng.x * WG) {
    var g = 0.0;
    for (var j = 0u; j < p.W; j++) { g += d_dout[i * p.W + j] * d_src[i * p.ld + p.off + j]; }
    d_t[i] = p.sign * g_rowc[i] * g;
    d_drow[i] = p.sign * g_alpha[p.aIdx] * g;
  }
}

@compute @workgroup_size(1)
fn sum_into() {
  var s = 0.0;
  for (var i = 0u; i < p.rows; i++) { s += r_x[i]; }
  r_out[p.aIdx] += s;
}

@compute @workgroup_size(WG)
fn sum_blocks(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var j = gid.x; j < p.W; j += ng.x * WG) {
    var s = 0.0;
    for (var e = 0u; e < p.rows; e++) { s += r_x[e * p.W + j]; }
    r_out[j] += s;
  }
}

@compute @workgroup_size(WG)
fn softplus_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var k = gid.x; k < p.rows * p.W; k += ng.x * WG) {
    let x = sp_x[k];
    sp_y[k] = max(x, 0.0) + log(1.0 + exp(-abs(x)));
  }
}

@compute @workgroup_size(WG)
fn softplus_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var k = gid.x; k < p.rows * p.W; k += ng.x * WG) {
    sp_dx[k] = sp_dy[k] / (1.0 + exp(min(-sp_x[k], 80.0))); // σ(x); the clamp keeps e^(−x) finite
  }
}
