// crossentropy.wgsl: row softmax and softmax + cross-entropy with a per-row weight, forward and backward.
//   probs[r]  = softmax(logits[r] / temperature)                       (torch.softmax, max-subtracted)
//   losses[r] = weights[r] · (logsumexp(logits[r]) − logits[r, targets[r]])   (= w·(−log probs[r, target]))
//   dlogits[r] = weights[r] · (probs[r] − onehot(targets[r]))          (torch cross_entropy's gradient, per row)
// A weight of 0 marks an ignored row (the target mask): its loss and gradient are exactly 0, but it still gets
// probs. The loss comes from logsumexp, not from log(prob), so it stays finite when the prob underflows to 0.
// A target ≥ V with a nonzero weight gives a NaN loss, loudly, instead of reading another row's logit.
//
// softmax_rows, crossentropy_forward: one workgroup (256) per row. Each invocation makes one pass over its
//   strided columns keeping an online (max, Σexp) pair (Milakov & Gimelshein, "Online normalizer calculation
//   for softmax", 2018), then the pairs are combined in two levels of 16 (2 barriers), then probs are written.
//   Dispatch: (R) workgroups. The forward saves probs for the backward.
// crossentropy_backward: elementwise; workgroup 256 along V. Dispatch: (ceil(V / 256), R).

const WG = 256u;
const FAN = 16u; // WG = FAN · FAN: the two combine levels
const LOWEST = -3.4028234e38; // lowest finite f32: exp(LOWEST − LOWEST) = 1, where −inf would give NaN

struct Params { R: u32, V: u32, inv_temperature: f32 }

@group(0) @binding(0) var<uniform> p: Params;

// softmax_rows and crossentropy_forward
@group(0) @binding(1) var<storage, read> logits: array<f32>;              // (R, V)
// softmax_rows
@group(0) @binding(2) var<storage, read_write> sm_probs: array<f32>;      // (R, V)  =
// crossentropy_forward
@group(0) @binding(2) var<storage, read> targets: array<u32>;             // (R)
@group(0) @binding(3) var<storage, read> weights: array<f32>;             // (R)     0 = ignore the row
@group(0) @binding(4) var<storage, read_write> probs: array<f32>;         // (R, V)  =
@group(0) @binding(5) var<storage, read_write> losses: array<f32>;        // (R)     =
// crossentropy_backward (also reads targets, weights)
@group(0) @binding(1) var<storage, read> probs_in: array<f32>;            // (R, V)
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;       // (R, V)  =

var<workgroup> part_max: array<f32, WG>;
var<workgroup> part_sum: array<f32, WG>;
var<workgroup> fan_max: array<f32, FAN>;
var<workgroup> fan_sum: array<f32, FAN>;

// Merges two online-softmax states (max m, Σ exp(x − m)).
fn merge(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let m = max(a.x, b.x);
  return vec2<f32>(m, a.y * exp(a.x - m) + b.y * exp(b.x - m));
}

// (max, Σ exp(x − max)) of logits[row]·inv_temperature, the same value in every invocation of the workgroup.
fn row_stats(row: u32, tid: u32) -> vec2<f32> {
  var s = vec2<f32>(LOWEST, 0.0);
  for (var i = tid; i < p.V; i += WG) {
    let x = logits[row * p.V + i] * p.inv_temperature;
    if (x > s.x) {
      s = vec2<f32>(x, s.y * exp(s.x - x) + 1.0);
    } else {
      s.y += exp(x - s.x);
    }
  }
  part_max[tid] = s.x;
  part_sum[tid] = s.y;
  workgroupBarrier();
  if (tid < FAN) {
    var f = vec2<f32>(LOWEST, 0.0);
    for (var i = 0u; i < FAN; i++) { f = merge(f, vec2<f32>(part_max[tid * FAN + i], part_sum[tid * FAN + i])); }
    fan_max[tid] = f.x;
    fan_sum[tid] = f.y;
  }
  workgroupBarrier();
  var total = vec2<f32>(LOWEST, 0.0);
  for (var i = 0u; i < FAN; i++) { total = merge(total, vec2<f32>(fan_max[i], fan_sum[i])); }
  return total;
}

@compute @workgroup_size(WG)
fn softmax_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let row = wg.x;
  let s = row_stats(row, tid);
  let inv_sum = 1.0 / s.y;
  for (var i = tid; i < p.V; i += WG) {
    sm_probs[row * p.V + i] = exp(logits[row * p.V + i] * p.inv_temperature - s.x) * inv_sum;
  }
}

@compute @workgroup_size(WG)
fn crossentropy_forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let row = wg.x;
  let s = row_stats(row, tid); // inv_temperature is 1 here
  let inv_sum = 1.0 / s.y;
  for (var i = tid; i < p.V; i += WG) {
    probs[row * p.V + i] = exp(logits[row * p.V + i] - s.x) * inv_sum;
  }
  if (tid == 0u) {
    let w = weights[row];
    let tgt = targets[row];
    var loss = 0.0;
    if (w != 0.0) {
      if (tgt < p.V) {
        loss = w * (s.x + log(s.y) - logits[row * p.V + tgt]);
      } else {
        var nan_bits = 0x7fc00000u; // a var, since a NaN constant expression is a WGSL compile error
        loss = bitcast<f32>(nan_bits); // the target is not a token of this vocabulary
      }
    }
    losses[row] = loss;
  }
}

@compute @workgroup_size(WG)
fn crossentropy_backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let row = gid.y;
  if (i >= p.V) { return; }
  let onehot = select(0.0, 1.0, i == targets[row]);
  dlogits[row * p.V + i] = weights[row] * (probs_in[row * p.V + i] - onehot);
}
