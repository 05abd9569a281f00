// kl_rows.wgsl: the value of a KL term against fixed soft targets, on a few rows of the head (the locality
// term of MEND/IBKE training; its logit gradient is soft_targets.wgsl's w·(p − q)):
//   out[k] = weights[k] · Σ_i q[k, i] · (log q[k, i] − log probs[rows[k], i])     (0·log 0 = 0)
// = torch.nn.functional.kl_div(log p, q, reduction='sum') · w per row. log p is taken from the head's softmax
// (the logits are already overwritten by dlogits where this runs), clamped at the smallest normal f32 so an
// underflowed probability gives a large finite term instead of +inf.
//
// Dispatch: (K) workgroups of WG; each invocation sums its strided columns, then a tree reduction in workgroup
// memory (log2(WG) barriers). Saves nothing.

struct Params { K: u32, V: u32 }

const WG = 256u;
const TINY = 1.1754944e-38; // smallest normal f32

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> rows: array<u32>;             // (K)    head rows (0..R-1)
@group(0) @binding(2) var<storage, read> weights: array<f32>;          // (K)
@group(0) @binding(3) var<storage, read> q: array<f32>;                // (K, V) target distributions
@group(0) @binding(4) var<storage, read> probs: array<f32>;            // (R, V) softmax of the head
@group(0) @binding(5) var<storage, read_write> out: array<f32>;        // (K)    =

var<workgroup> part: array<f32, WG>;

@compute @workgroup_size(WG)
fn kl_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let k = wg.x;
  let base = rows[k] * p.V;
  var s = 0.0;
  for (var i = tid; i < p.V; i += WG) {
    let qi = q[k * p.V + i];
    if (qi > 0.0) {
      s += qi * (log(qi) - log(max(probs[base + i], TINY)));
    }
  }
  part[tid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (tid < stride) { part[tid] += part[tid + stride]; }
    workgroupBarrier();
  }
  if (tid == 0u) { out[k] = weights[k] * part[0]; }
}
