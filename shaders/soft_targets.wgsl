// soft_targets.wgsl: the logit gradient of a cross-entropy against a soft target distribution q, for a few rows
// of the head (ROME's KL term: ∂/∂logits KL(q ‖ softmax(logits)) = softmax(logits) − q; torch's
// kl_div(log_softmax(logits), q) with reduction 'sum', times a weight).
//   dlogits[rows[k], i] += weights[k] · (probs[rows[k], i] − q[k, i])
// It ADDS: run it after crossentropy_backward, on rows whose hard-target weight is 0 (their gradient is 0
// there), so those rows end up with w·(p − q). Saves nothing.
//
// Dispatch: (ceil(V / WORKGROUP), K); elementwise, no workgroup memory, no barriers.

struct Params { K: u32, V: u32 }

const WORKGROUP = 256u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> rows: array<u32>;             // (K)    head rows (0..R-1)
@group(0) @binding(2) var<storage, read> weights: array<f32>;          // (K)
@group(0) @binding(3) var<storage, read> q: array<f32>;                // (K, V) target distributions
@group(0) @binding(4) var<storage, read> probs: array<f32>;            // (R, V) softmax of the head
@group(0) @binding(5) var<storage, read_write> dlogits: array<f32>;    // (R, V) +=

@compute @workgroup_size(WORKGROUP)
fn soft_target_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let k = gid.y;
  if (i >= p.V || k >= p.K) { return; }
  let at = rows[k] * p.V + i;
  dlogits[at] += weights[k] * (probs[at] - q[k * p.V + i]);
}
