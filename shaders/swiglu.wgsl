// swiglu.wgsl: the SwiGLU gate of Llama/Qwen3's MLP (Shazeer 2020; HF LlamaMLP: down(silu(gate(x))·up(x))),
// elementwise between the gate/up projections and down_proj:
//   forward   out = silu(g)·u,  silu(g) = g·σ(g)
//   backward  dg = dout·u·σ(g)·(1 + g·(1 − σ(g))),   du = dout·silu(g)
// Nothing is saved beyond the inputs. σ is evaluated on g clamped to ±80 so e^(−g) stays finite (WGSL leaves
// overflow indeterminate); past ±80 σ is 0 or 1 to f32 precision anyway.
//
// Dispatch: 1-D, WORKGROUP invocations per group, min(ceil(n / WORKGROUP), 65535) groups, grid-stride loop.
// No workgroup memory, no barriers.

struct Params { n: u32 }

const WORKGROUP = 256u;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> f_gate: array<f32>;         // (n)
@group(0) @binding(2) var<storage, read> f_up: array<f32>;           // (n)
@group(0) @binding(3) var<storage, read_write> f_out: array<f32>;    // (n)  =

@group(0) @binding(1) var<storage, read> b_gate: array<f32>;         // (n)
@group(0) @binding(2) var<storage, read> b_up: array<f32>;           // (n)
@group(0) @binding(3) var<storage, read> b_dout: array<f32>;         // (n)
@group(0) @binding(4) var<storage, read_write> b_dgate: array<f32>;  // (n)  =
@group(0) @binding(5) var<storage, read_write> b_dup: array<f32>;    // (n)  =

fn sigmoid(g: f32) -> f32 { return 1.0 / (1.0 + exp(-clamp(g, -80.0, 80.0))); }

@compute @workgroup_size(WORKGROUP)
fn swiglu_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    let g = f_gate[i];
    f_out[i] = g * sigmoid(g) * f_up[i];
  }
}

@compute @workgroup_size(WORKGROUP)
fn swiglu_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    let g = b_gate[i];
    let s = sigmoid(g);
    let d = b_dout[i];
    b_dgate[i] = d * b_up[i] * s * (1.0 + g * (1.0 - s));
    b_dup[i] = d * g * s;
  }
}
