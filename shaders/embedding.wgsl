// embedding.wgsl: GPT-2's input embedding, token plus learned position (nn.Embedding wte and wpe, summed):
//   forward   out[n, c] = wte[ids[n], c] + wpe[n % T, c]           rows n = b·T + t, so n % T is the position
//   backward  dwte[v, c] += Σ_{n: ids[n] = v} dout[n, c]           dwpe[t, c] += Σ_b dout[b·T + t, c]
// The forward saves nothing (the backward needs only ids). An id past the end of wte reads as a zero row
// rather than out-of-bounds memory (the engine validates ids; this keeps a bad id from leaking other data).
//
// The backward is deterministic without float atomics: token ids repeat, so instead of scattering rows we give
// each channel c one invocation that walks n = 0..N-1 in order and accumulates into dwte[ids[n], c] (no two
// invocations share a channel, so no races), and each (t, c) of dwpe one invocation that sums over the batch.
// Both run in one dispatch: invocation i < C does dwte channel i, invocation i >= C does dwpe element i − C.
//
// Dispatch (both entries): 1-D, WORKGROUP invocations per group, grid-stride loop, min(ceil(count / WORKGROUP),
// 65535) groups, with count = N·C (forward) or C + T·C (backward). No workgroup memory, no barriers.

struct Params { N: u32, T: u32, C: u32 }

const WORKGROUP = 256u;

@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> fwd_ids: array<u32>;        // (N)
@group(0) @binding(2) var<storage, read> wte: array<f32>;            // (V, C)
@group(0) @binding(3) var<storage, read> wpe: array<f32>;            // (maxT, C), maxT >= T
@group(0) @binding(4) var<storage, read_write> out: array<f32>;      // (N, C)  =

@group(0) @binding(1) var<storage, read> bwd_ids: array<u32>;        // (N)
@group(0) @binding(2) var<storage, read> dout: array<f32>;           // (N, C)
@group(0) @binding(3) var<storage, read_write> dwte: array<f32>;     // (V, C)  +=
@group(0) @binding(4) var<storage, read_write> dwpe: array<f32>;     // (maxT, C)  +=

@compute @workgroup_size(WORKGROUP)
fn embedding_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let V = arrayLength(&wte) / p.C;
  for (var i = gid.x; i < p.N * p.C; i += ng.x * WORKGROUP) {
    let n = i / p.C;
    let c = i - n * p.C;
    let id = fwd_ids[n];
    var tok = 0.0;
    if (id < V) { tok = wte[id * p.C + c]; }
    out[i] = tok + wpe[(n % p.T) * p.C + c];
  }
}

@compute @workgroup_size(WORKGROUP)
fn embedding_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let V = arrayLength(&dwte) / p.C;
  for (var i = gid.x; i < p.C + p.T * p.C; i += ng.x * WORKGROUP) {
    if (i < p.C) {
      // dwte channel c: serial over n, so repeated ids accumulate in a fixed order.
      let c = i;
      for (var n = 0u; n < p.N; n++) {
        let id = bwd_ids[n];
        if (id < V) { dwte[id * p.C + c] += dout[n * p.C + c]; }
      }
    } else {
      // dwpe element (t, c): sum over the batch rows b·T + t.
      let tc = i - p.C;
      let t = tc / p.C;
      let c = tc - t * p.C;
      var acc = 0.0;
      for (var n = t; n < p.N; n += p.T) {
        acc += dout[n * p.C + c];
      }
      dwpe[tc] += acc;
    }
  }
}
