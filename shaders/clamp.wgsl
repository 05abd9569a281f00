// clamp.wgsl: projection onto an L∞ ball around a centre, in place (FT-L's norm constraint, as EasyEdit's FT
// does after each step: torch.clamp(p, min=p₀ − ε, max=p₀ + ε)).
//   param[i] = clamp(param[i], centre[i] − radius, centre[i] + radius)
// Saves nothing: the projection is applied after an optimizer step, never differentiated.
//
// Dispatch: 1-D, WORKGROUP invocations per group, min(ceil(n / WORKGROUP), 65535) groups, grid-stride loop.
// No workgroup memory, no barriers.

struct Params { n: u32, radius: f32 }

const WORKGROUP = 256u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;  // (n)  clamped in place
@group(0) @binding(2) var<storage, read> centre: array<f32>;       // (n)  the ball's centre (original weights)

@compute @workgroup_size(WORKGROUP)
fn clamp_to_ball(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  for (var i = gid.x; i < p.n; i += ng.x * WORKGROUP) {
    let c = centre[i];
    param[i] = clamp(param[i], c - p.radius, c + p.radius);
  }
}
