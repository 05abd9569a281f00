// rope.wgsl: rotary position embedding (Su et al. 2021) in Hugging Face's rotate-half layout (modeling_llama /
// modeling_qwen3 apply_rotary_pos_emb): channel i of a head pairs with channel i + HD/2, both rotated by the
// angle pos·θ^(−2i/HD):
//   out_i        = x_i·cos − x_{i+HD/2}·sin
//   out_{i+HD/2} = x_{i+HD/2}·cos + x_i·sin          (q·cos + rotate_half(q)·sin)
// The map is a rotation, so its backward is the rotation by −angle: dir = +1 forward, −1 backward (dinp from
// dout). Nothing is saved. Angles come from a (P, HD/2, 2) table of (cos, sin) computed on the CPU (WGSL's
// cos/sin are only accurate on [−π, π], and positions reach thousands of radians).
// Row n of a (B, T) batch is at position pos0 + n % T (pos0 > 0: tokens appended after a KV cache).
//
// Dispatch: 1-D, one invocation per (n, head, i < HD/2), 256 per group, min(ceil(N·H·HD/2 / 256), 65535)
// groups, grid-stride. No workgroup memory, no barriers. inp and out must be different buffers.

struct Params { N: u32, T: u32, pos0: u32, H: u32, HD: u32, dir: f32 }

const WORKGROUP = 256u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> inp: array<f32>;            // (N, H·HD)
@group(0) @binding(2) var<storage, read> table: array<f32>;          // (P, HD/2, 2) cos, sin
@group(0) @binding(3) var<storage, read_write> out: array<f32>;      // (N, H·HD)  =

@compute @workgroup_size(WORKGROUP)
fn rope(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) ng: vec3<u32>) {
  let half = p.HD / 2u;
  for (var k = gid.x; k < p.N * p.H * half; k += ng.x * WORKGROUP) {
    let i = k % half;
    let nh = k / half; // n·H + head
    let n = nh / p.H;
    let pos = p.pos0 + n % p.T;
    let c = table[(pos * half + i) * 2u];
    let s = table[(pos * half + i) * 2u + 1u] * p.dir;
    let a = nh * p.HD + i;
    let x1 = inp[a];
    let x2 = inp[a + half];
    out[a] = x1 * c - x2 * s;
    out[a + half] = x2 * c + x1 * s;
  }
}
