// A Llama-family model (Qwen3: per-head q/k RMSNorm; Llama: without) as an ONNX graph (opset 17) for the peer
// benchmark only: the same inputs and outputs as src/model/onnx/gpt2.ts (input_ids, attention_mask,
// position_ids, past_key_values.{i}.key/value (batch, kv_heads, past, head_dim) → logits of the last position,
// present.{i}.key/value), so onnxruntime-web runs prefill and KV-cache decode on the weights the engine runs.
// Not offered as an export: the app's exporter writes GPT-2 only, and this graph has no test against
// transformers.js; the benchmark checks it against the engine's logits instead (`parity` in the results).
// The math is src/model/llama/forward.ts: RMSNorm, rotate-half RoPE from the engine's own table
// (src/gpu/kernels/rope.ts), grouped-query attention, SwiGLU, head tied or not.

import { ropeTable } from '../../src/gpu/kernels/rope.ts';
import {
  EMBED,
  FINAL_NORM,
  headParam,
  layerPrefix,
  parameterShapes,
  type LlamaDims,
} from '../../src/model/llama/dims.ts';
import { OnnxGraph, ONNX_FLOAT, ONNX_INT64 } from '../../src/model/onnx/graph.ts';
import { pastName, presentName } from '../../src/model/onnx/gpt2.ts';

const MASKED = -1e9;

/** (rows, cols) → (cols, rows): ONNX MatMul wants x·W with W (in, out); nn.Linear stores (out, in). */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

export function llamaOnnx(d: LlamaDims, weights: Map<string, Float32Array>): Uint8Array {
  const H = d.nHead;
  const KVH = d.nKvHead;
  const HD = d.headDim;
  const rep = H / KVH;
  const shapes = new Map(parameterShapes(d));
  const g = new OnnxGraph('editscope-llama-bench');
  const raw = (name: string) => {
    const w = weights.get(name);
    if (!w) throw new RangeError(`Llama ONNX (bench): the model has no parameter ${name}.`);
    return w;
  };
  const vec = (name: string) => g.floats(name, shapes.get(name)!, raw(name));
  const linearT = (name: string) => {
    const [out, inp] = shapes.get(name)!;
    return g.floats(`${name}.T`, [inp, out], transpose(raw(name), out, inp));
  };

  const ids = g.input('input_ids', ONNX_INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', ONNX_INT64, ['batch_size', 'total_sequence_length']);
  const pos = g.input('position_ids', ONNX_INT64, ['batch_size', 'sequence_length']);
  for (let l = 0; l < d.nLayer; l++)
    for (const kv of ['key', 'value'] as const)
      g.input(pastName(l, kv), ONNX_FLOAT, ['batch_size', KVH, 'past_sequence_length', HD]);
  g.output('logits', ONNX_FLOAT, ['batch_size', 1, d.vocabSize]);
  for (let l = 0; l < d.nLayer; l++)
    for (const kv of ['key', 'value'] as const)
      g.output(presentName(l, kv), ONNX_FLOAT, ['batch_size', KVH, 'total_sequence_length', HD]);

  const one = g.ints('c_one', [1]);
  const two = g.ints('c_two', [2]);
  const three = g.ints('c_three', [3]);
  const zero = g.ints('c_zero', [0]);
  const axes01 = g.ints('c_axes01', [0, 1]);
  const axes12 = g.ints('c_axes12', [1, 2]);
  const headShapes = new Map([...new Set([H, KVH])].map((n) => [n, g.ints(`c_heads_${n}`, [0, 0, n, HD])]));
  const heads = (n: number) => headShapes.get(n)!;
  const qGroups = g.ints('c_q_groups', [0, KVH, -1, HD]); // (B, H, T, HD) → (B, KVH, rep·T, HD)
  const qHeads = g.ints('c_q_heads', [0, H, -1, HD]);
  const merge = g.ints('c_merge', [0, 0, H * HD]);
  const fOne = g.scalar('c_f_one', 1);
  const fMasked = g.scalar('c_masked', MASKED);
  const fEps = g.scalar('c_eps', d.eps);
  const scale = g.scalar('c_scale', 1 / Math.sqrt(HD));

  // RoPE: the engine's (P, HD/2, 2) table split into cos and sin, each repeated to HD (rotate-half layout).
  const P = d.nPositions;
  const table = ropeTable(P, HD, d.ropeTheta);
  const cos = new Float32Array(P * HD);
  const sin = new Float32Array(P * HD);
  for (let p = 0; p < P; p++)
    for (let i = 0; i < HD / 2; i++)
      for (const j of [i, i + HD / 2]) {
        cos[p * HD + j] = table[(p * (HD / 2) + i) * 2];
        sin[p * HD + j] = table[(p * (HD / 2) + i) * 2 + 1];
      }
  const cosT = g.op('Unsqueeze', [g.op('Gather', [g.floats('c_cos', [P, HD], cos), pos]), one]); // (B,1,T,HD)
  const sinT = g.op('Unsqueeze', [g.op('Gather', [g.floats('c_sin', [P, HD], sin), pos]), one]);
  const rope = (x: string) => {
    const [x1, x2] = g.node('Split', [x, g.ints(g.fresh('c_half'), [HD / 2, HD / 2])], { axis: -1 }, 2);
    const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: -1 });
    return g.op('Add', [g.op('Mul', [x, cosT]), g.op('Mul', [rotated, sinT])]);
  };
  const rmsnorm = (x: string, weight: string) => {
    const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    return g.op('Mul', [g.op('Div', [x, g.op('Sqrt', [g.op('Add', [ms, fEps])])]), vec(weight)]);
  };

  // Mask (B, 1, rep·T, total): causal rows past..past+T, repeated for the rep query heads sharing a kv head.
  const causalData = new Float32Array(P * P);
  for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) causalData[i * P + j] = MASKED;
  const seqLen = g.op('Slice', [g.op('Shape', [ids]), one, two]);
  const pastLen = g.op('Slice', [g.op('Shape', [pastName(0, 'key')]), two, three]);
  const total = g.op('Add', [pastLen, seqLen]);
  const rows = g.op('Slice', [
    g.floats('c_causal', [P, P], causalData),
    g.op('Concat', [pastLen, zero], { axis: 0 }),
    g.op('Concat', [total, total], { axis: 0 }),
    axes01,
  ]);
  const padding = g.op('Unsqueeze', [
    g.op('Mul', [g.op('Sub', [fOne, g.op('Cast', [mask], { to: ONNX_FLOAT })]), fMasked]),
    axes12,
  ]);
  const bias1 = g.op('Add', [rows, padding]); // (B, 1, T, total)
  const bias = rep === 1 ? bias1 : g.op('Concat', Array(rep).fill(bias1), { axis: 2 });

  let h = g.op('Gather', [vec(EMBED), ids], { axis: 0 });
  for (let l = 0; l < d.nLayer; l++) {
    const p = layerPrefix(l);
    const x = rmsnorm(h, `${p}.input_layernorm.weight`);
    const proj = (m: string) => g.op('MatMul', [x, linearT(`${p}.self_attn.${m}.weight`)]);
    const split = (t: string, n: number, norm: string | null) => {
      let r = g.op('Reshape', [t, heads(n)]); // (B, T, n, HD)
      if (norm) r = rmsnorm(r, norm);
      return g.op('Transpose', [r], { perm: [0, 2, 1, 3] }); // (B, n, T, HD)
    };
    const q = rope(split(proj('q_proj'), H, d.qkNorm ? `${p}.self_attn.q_norm.weight` : null));
    const k = rope(split(proj('k_proj'), KVH, d.qkNorm ? `${p}.self_attn.k_norm.weight` : null));
    const v = split(proj('v_proj'), KVH, null);
    const keys = g.op('Concat', [pastName(l, 'key'), k], { axis: 2 }, presentName(l, 'key'));
    const values = g.op('Concat', [pastName(l, 'value'), v], { axis: 2 }, presentName(l, 'value'));
    // Query heads g·rep .. g·rep+rep−1 share kv head g, so (B, H, T, HD) regroups as (B, KVH, rep·T, HD).
    const scores = g.op('Mul', [
      g.op('MatMul', [g.op('Reshape', [q, qGroups]), g.op('Transpose', [keys], { perm: [0, 1, 3, 2] })]),
      scale,
    ]);
    const probs = g.op('Softmax', [g.op('Add', [scores, bias])], { axis: -1 });
    const ctx = g.op('Reshape', [g.op('MatMul', [probs, values]), qHeads]); // (B, H, T, HD)
    const attn = g.op('Reshape', [g.op('Transpose', [ctx], { perm: [0, 2, 1, 3] }), merge]);
    h = g.op('Add', [h, g.op('MatMul', [attn, linearT(`${p}.self_attn.o_proj.weight`)])]);
    const y = rmsnorm(h, `${p}.post_attention_layernorm.weight`);
    const gate = g.op('MatMul', [y, linearT(`${p}.mlp.gate_proj.weight`)]);
    const up = g.op('MatMul', [y, linearT(`${p}.mlp.up_proj.weight`)]);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]); // silu(gate)·up
    h = g.op('Add', [h, g.op('MatMul', [act, linearT(`${p}.mlp.down_proj.weight`)])]);
  }
  const last = g.op('Gather', [h, g.op('Sub', [seqLen, one])], { axis: 1 }); // (B, 1, C)
  const head = linearT(headParam(d)); // (C, V)
  g.op('MatMul', [rmsnorm(last, FINAL_NORM), head], {}, 'logits');
  return g.serialize({ opset: 17, producer: 'editscope-bench', version: '0.1.0' });
}
