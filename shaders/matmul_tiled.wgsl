// matmul_tiled.wgsl: the same contract as matmul.wgsl, tiled through workgroup memory (the GPU variant).
//
//   A: (M, K) or (K, M) when TRANS_A;  B: (K, N) or (N, K) when TRANS_B;  bias: (N);  C: (M, N)
// Dispatch: workgroup WG x WG (WG = 16 where the adapter allows 256 invocations and 8 KiB of workgroup memory,
// else 8; the wrapper picks it once from the limits); each invocation computes a 4x4 block of a TILE x TILE
// output tile (TILE = 4·WG), stepping K by 16: (ceil(N/TILE), ceil(M/TILE)) workgroups.
// Shared tiles: As (TILE rows x 16 k), Bs (16 k x TILE cols); each invocation loads 4·16/WG elements of each.

struct Params { M: u32, N: u32, K: u32 }

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;

override WG: u32 = 16u;
override TILE: u32 = WG * 4u;
const TK = 16u;
var<workgroup> As: array<f32, TILE * TK>; // [TILE rows][16 k]
var<workgroup> Bs: array<f32, TILE * TK>; // [16 k][TILE cols]

fn a_at(m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  if (TRANS_A) { return A[k * p.M + m]; }
  return A[m * p.K + k];
}

fn b_at(k: u32, n: u32) -> f32 {
  if (n >= p.N || k >= p.K) { return 0.0; }
  if (TRANS_B) { return B[n * p.K + k]; }
  return B[k * p.N + n];
}

@compute @workgroup_size(WG, WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile_row = wg.y * TILE;
  let tile_col = wg.x * TILE;
  let flat = lid.y * WG + lid.x; // 0..WG²-1
  let loads = TILE * TK / (WG * WG);
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += TK) {
    for (var e = 0u; e < loads; e++) {
      let idx = flat * loads + e; // 0..TILE·TK-1
      As[idx] = a_at(tile_row + idx / TK, k0 + idx % TK);
      Bs[idx] = b_at(k0 + idx / TILE, tile_col + idx % TILE);
    }
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      let bc = lid.x * 4u;
      let b = vec4<f32>(Bs[k * TILE + bc], Bs[k * TILE + bc + 1u], Bs[k * TILE + bc + 2u], Bs[k * TILE + bc + 3u]);
      for (var i = 0u; i < 4u; i++) {
        acc[i] += As[(lid.y * 4u + i) * TK + k] * b;
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = tile_row + lid.y * 4u + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = tile_col + lid.x * 4u + j;
      if (n >= p.N) { break; }
      var v = acc[i][j];
      if (HAS_BIAS) { v += bias[n]; }
      if (ACCUMULATE) { v += C[m * p.N + n]; }
      C[m * p.N + n] = v;
    }
  }
}
