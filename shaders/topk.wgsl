// topk.wgsl: the k largest values of each row and their column indices, sorted descending, ties broken by the
// lower index (torch.topk(values, k, sorted=True) with a deterministic order among equal values). k ≤ KMAX.
// NaN values have no defined rank.
//
// One workgroup (64) per row; dispatch (R) workgroups. 9 barriers per row in all. WG ≥ KMAX ≥ k, so at least
// k invocations own a column (k ≤ V) and tau below exists. SwiftShader spends about 1.5 s compiling this
// pipeline (its cost grows with the 16 KiB of workgroup memory, whatever the code), once per session.
// Phase 0 (3 barriers): each invocation takes the max of its strided columns; tau = the k-th largest of these
//   64 maxima is a lower bound for the row's k-th largest value (k distinct columns reach it), so only columns
//   ≥ tau can be in the answer: on typical rows a handful per invocation, instead of hundreds.
// Phase 1 (no barriers): each invocation scans its columns again and insertion-sorts those ≥ tau into its own
//   list of k column indices in workgroup memory (64 lists · 64 u32 = 16 KiB, WebGPU's default limit).
//   Lists hold indices only; values are re-read from the row, which is in cache. Lists live in workgroup
//   memory, not in private arrays, because CPU compilers turn a 64-entry private array with dynamic indices
//   into select chains (seconds to compile on SwiftShader) and GPUs spill it.
// Phase 2 (6 barriers): a binary tree of pairwise merges. In the round with stride s, invocations with
//   id ≡ 0 (mod 2s) merge list id + s into their own, in place; every list is final before the barrier that
//   precedes its only reader, so one barrier per round is enough. Invocation 0 then writes the answer.

const WG = 64u;
const KMAX = 64u;
const NONE = 0xffffffffu; // index of an empty list entry: ranks below every real value, -inf included
const LOWEST = -3.4028234e38;

struct Params { R: u32, V: u32, k: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;            // (R, V)
@group(0) @binding(2) var<storage, read_write> out_index: array<u32>;   // (R, k)  =
@group(0) @binding(3) var<storage, read_write> out_value: array<f32>;   // (R, k)  =

var<workgroup> lists: array<u32, WG * KMAX>; // list of invocation t at [t·KMAX, t·KMAX + k), best first

var<private> base: u32; // offset of this workgroup's row in `values`

fn value_at(i: u32) -> f32 {
  if (i == NONE) { return LOWEST; }
  return values[base + i];
}

// Whether entry (av, ai) ranks before (bv, bi): larger value first, then lower index; empty entries last.
fn better(av: f32, ai: u32, bv: f32, bi: u32) -> bool {
  return ai != NONE && (bi == NONE || av > bv || (av == bv && ai < bi));
}

fn better_idx(ai: u32, bi: u32) -> bool {
  return better(value_at(ai), ai, value_at(bi), bi);
}

// Replaces list `own` by the best k of lists `own` and `other` (both sorted): count how many come from each,
// then merge backwards, so that every write lands at or after the entries of `own` still to be read.
fn merge_into(own: u32, other: u32, k: u32) {
  var a = 0u;
  for (var n = 0u; n < k; n++) {
    if (better_idx(lists[own + a], lists[other + n - a])) { a++; }
  }
  var b = k - a;
  for (var n = k; n > 0u; n--) {
    if (b == 0u || (a > 0u && better_idx(lists[other + b - 1u], lists[own + a - 1u]))) {
      lists[own + n - 1u] = lists[own + a - 1u];
      a--;
    } else {
      lists[own + n - 1u] = lists[other + b - 1u];
      b--;
    }
  }
}

@compute @workgroup_size(WG)
fn topk(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let k = p.k;
  base = wg.x * p.V;
  let own = tid * KMAX;
  // Phase 0: tau. Maxima are ranked by (value, invocation id); invocations without a column (V < 64) rank last.
  // The max starts from the first column, not LOWEST, so an all −inf invocation reports −inf and keeps them.
  let me = select(NONE, tid, tid < p.V);
  let m = value_at(me);
  var mx = m;
  for (var i = tid + WG; i < p.V; i += WG) { mx = max(mx, values[base + i]); }
  lists[own] = bitcast<u32>(mx);
  workgroupBarrier();
  var rank = 0u;
  for (var u = 0u; u < WG; u++) {
    if (better(bitcast<f32>(lists[u * KMAX]), select(NONE, u, u < p.V), mx, me)) { rank++; }
  }
  if (me != NONE && rank == k - 1u) { lists[1] = bitcast<u32>(mx); } // exactly one invocation has this rank
  workgroupBarrier();
  let tau = bitcast<f32>(lists[1]);
  workgroupBarrier();
  // Phase 1: columns tid, tid + WG, ... arrive in increasing order, so a tie never displaces an entry.
  for (var j = 0u; j < k; j++) { lists[own + j] = NONE; }
  var worst_v = LOWEST;
  var worst_i = NONE;
  for (var i = tid; i < p.V; i += WG) {
    let v = values[base + i];
    if (v < tau || !better(v, i, worst_v, worst_i)) { continue; }
    var pos = k - 1u;
    while (pos > 0u && better(v, i, value_at(lists[own + pos - 1u]), lists[own + pos - 1u])) {
      lists[own + pos] = lists[own + pos - 1u];
      pos--;
    }
    lists[own + pos] = i;
    worst_i = lists[own + k - 1u];
    worst_v = value_at(worst_i);
  }
  // Phase 2: tree merge into invocation 0's list.
  for (var s = 1u; s < WG; s *= 2u) {
    workgroupBarrier();
    if (tid % (2u * s) == 0u) { merge_into(own, own + s * KMAX, k); }
  }
  if (tid == 0u) {
    for (var j = 0u; j < k; j++) {
      out_index[wg.x * k + j] = lists[j];
      out_value[wg.x * k + j] = value_at(lists[j]);
    }
  }
}
