// matmul_gemv_sg.wgsl: the contract of matmul_gemv.wgsl (M = ROWS ≤ 4 rows) with the K loop split across a
// workgroup and reduced with subgroupAdd: the GPU variant, where one invocation per 4 columns leaves most of
// the chip idle for N = 768 and a single invocation's K loop is a long dependent chain. Needs `subgroups`.
//
//   A: (ROWS, K) row-major, or (K, ROWS) when TRANS_A
//   B: (K, N) as vec4 over N (N % 4 == 0), or (N, K) when TRANS_B as vec4 over K (K % 4 == 0)
//   bias: (N) when HAS_BIAS                C: (ROWS, N); ACCUMULATE adds into it
// Dispatch: workgroup 64, one workgroup per 4 output columns: (ceil(N/4)) workgroups. Invocation t takes
// k ≡ t (mod 64) (TRANS_B: vec4 chunks of K, so neighbours read neighbouring 16 bytes of one weight row).
// Each subgroup sums its lanes; the sums meet in workgroup memory (one slot per invocation, so nothing assumes
// how invocations map to subgroups) and invocation 0 adds them up and stores.

enable subgroups;

struct Params { M: u32, N: u32, K: u32 }

override ROWS: u32 = 1u;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;        // (ROWS, K) or (K, ROWS)
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;  // (K, N/4) or (N, K/4)
@group(0) @binding(3) var<storage, read> bias: array<f32>;     // (N)
@group(0) @binding(4) var<storage, read_write> C: array<f32>;  // (ROWS, N)

const LANES = 64u;
var<workgroup> partial: array<array<vec4<f32>, 4>, LANES>;

fn a_at(m: u32, k: u32) -> f32 {
  if (TRANS_A) { return A[k * ROWS + m]; }
  return A[m * p.K + k];
}

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
  @builtin(subgroup_invocation_id) lane: u32,
) {
  let col0 = wg.x * 4u;
  var acc: array<vec4<f32>, 4>;
  if (TRANS_B) {
    let k4 = p.K / 4u;
    let last = p.N - 1u;
    let r0 = min(col0, last) * k4;
    let r1 = min(col0 + 1u, last) * k4;
    let r2 = min(col0 + 2u, last) * k4;
    let r3 = min(col0 + 3u, last) * k4;
    // Uniform trip count (the subgroupAdd below must stay in uniform control flow), a guard per lane.
    for (var base = 0u; base < k4; base += LANES) {
      let kk = base + t;
      if (kk < k4) {
        let b0 = B[r0 + kk];
        let b1 = B[r1 + kk];
        let b2 = B[r2 + kk];
        let b3 = B[r3 + kk];
        let k = kk * 4u;
        for (var i = 0u; i < ROWS; i++) {
          let a = vec4<f32>(a_at(i, k), a_at(i, k + 1u), a_at(i, k + 2u), a_at(i, k + 3u));
          acc[i] += vec4<f32>(dot(a, b0), dot(a, b1), dot(a, b2), dot(a, b3));
        }
      }
    }
  } else {
    let n4 = p.N / 4u;
    let c4 = wg.x;
    for (var base = 0u; base < p.K; base += LANES) {
      let k = base + t;
      if (k < p.K) {
        let b = B[k * n4 + c4];
        for (var i = 0u; i < ROWS; i++) {
          acc[i] += a_at(i, k) * b;
        }
      }
    }
  }
  for (var i = 0u; i < ROWS; i++) {
    let s = subgroupAdd(acc[i]);
    partial[t][i] = select(vec4<f32>(), s, lane == 0u);
  }
  workgroupBarrier();
  if (t != 0u) { return; }
  for (var i = 0u; i < ROWS; i++) {
    var total = vec4<f32>();
    for (var u = 0u; u < LANES; u++) { total += partial[u][i]; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + j;
      if (n >= p.N) { break; }
      var v = total[j];
      if (HAS_BIAS) { v += bias[n]; }
      if (ACCUMULATE) { v += C[i * p.N + n]; }
      C[i * p.N + n] = v;
    }
  }
}
