// GPT-2 as an ONNX graph (opset 17) with the inputs and outputs transformers.js feeds a decoder with a KV cache:
//   input_ids, attention_mask (batch, past + seq), position_ids (int64), past_key_values.{i}.key/value
//   (batch, heads, past, head_dim) → logits (batch, seq, vocab), present.{i}.key/value (batch, heads, past + seq,
//   head_dim). transformers.js sends only the newest token after the first step, so a graph without the cache
//   would generate garbage; with an empty past (past = 0, the dim named past_sequence_length so transformers.js
//   sizes it 0) the same graph is a plain prefill, which is what onnxruntime-web runs in the peer benchmark.
// The math is the engine's forward (src/model/gpt2/forward.ts): pre-LayerNorm blocks, tanh GELU, causal
// attention, tied head. Weights are Conv1D (in, out) and go in as MatMul right operands unchanged.

import type { Gpt2Dims } from '../gpt2/dims.ts';
import { parameterShapes } from '../gpt2/dims.ts';
import { OnnxGraph, ONNX_FLOAT, ONNX_INT64 } from './graph.ts';

export const ONNX_OPSET = 17; // LayerNormalization

/** Masked attention logits: large and finite, so a row masked twice (causal + padding) never becomes NaN. */
const MASKED = -1e9;

/** Input/output names transformers.js looks for (see its getCacheNames / getPastKeyValues). */
export const pastName = (layer: number, kv: 'key' | 'value') => `past_key_values.${layer}.${kv}`;
export const presentName = (layer: number, kv: 'key' | 'value') => `present.${layer}.${kv}`;

export function checkWeights(d: Gpt2Dims, weights: Map<string, Float32Array>): void {
  for (const [name, shape] of parameterShapes(d)) {
    const w = weights.get(name);
    const n = shape.reduce((a, b) => a * b, 1);
    if (!w) throw new RangeError(`ONNX export: the model has no parameter ${name}.`);
    if (w.length !== n)
      throw new RangeError(`ONNX export: ${name} has ${w.length} values; its shape [${shape}] needs ${n}.`);
  }
}

export interface Gpt2OnnxOptions {
  /** 'all' (default, what transformers.js expects): logits (batch, seq, vocab); 'last': (batch, 1, vocab), the
   *  head on the last position only, as the engine computes it for a next-token prediction (peer benchmark). */
  logits?: 'all' | 'last';
  producerVersion?: string;
}

/** The model.onnx bytes for a GPT-2 with these dims and (merged, f32) weights. */
export function gpt2Onnx(
  d: Gpt2Dims,
  weights: Map<string, Float32Array>,
  opts: Gpt2OnnxOptions = {},
): Uint8Array {
  checkWeights(d, weights);
  const C = d.nEmbd;
  const H = d.nHead;
  const D = C / H;
  const g = new OnnxGraph('editscope-gpt2');
  const shapes = new Map(parameterShapes(d));
  const added = new Set<string>();
  const w = (name: string) => {
    if (!added.has(name)) g.floats(name, shapes.get(name)!, weights.get(name)!);
    added.add(name);
    return name;
  };

  const ids = g.input('input_ids', ONNX_INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', ONNX_INT64, ['batch_size', 'total_sequence_length']);
  const pos = g.input('position_ids', ONNX_INT64, ['batch_size', 'sequence_length']);
  for (let l = 0; l < d.nLayer; l++)
    for (const kv of ['key', 'value'] as const)
      g.input(pastName(l, kv), ONNX_FLOAT, ['batch_size', H, 'past_sequence_length', D]);
  const lastOnly = opts.logits === 'last';
  g.output('logits', ONNX_FLOAT, ['batch_size', lastOnly ? 1 : 'sequence_length', d.vocabSize]);
  for (let l = 0; l < d.nLayer; l++)
    for (const kv of ['key', 'value'] as const)
      g.output(presentName(l, kv), ONNX_FLOAT, ['batch_size', H, 'total_sequence_length', D]);

  // Constants.
  const one = g.ints('c_one', [1]);
  const two = g.ints('c_two', [2]);
  const three = g.ints('c_three', [3]);
  const zero = g.ints('c_zero', [0]);
  const axes01 = g.ints('c_axes01', [0, 1]);
  const axes12 = g.ints('c_axes12', [1, 2]);
  const splitQkv = g.ints('c_split_qkv', [C, C, C]);
  const headsShape = g.ints('c_heads_shape', [0, 0, H, D]);
  const mergeShape = g.ints('c_merge_shape', [0, 0, C]);
  const scale = g.scalar('c_scale', 1 / Math.sqrt(D));
  const fOne = g.scalar('c_f_one', 1);
  const fMasked = g.scalar('c_masked', MASKED);
  const fHalf = g.scalar('c_half', 0.5);
  const fCube = g.scalar('c_gelu_cube', 0.044715);
  const fSqrt2pi = g.scalar('c_gelu_scale', Math.sqrt(2 / Math.PI));
  // Causal bias: row i (absolute position) may see columns j ≤ i.
  const P = d.nPositions;
  const tri = new Float32Array(P * P);
  for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) tri[i * P + j] = MASKED;
  const causal = g.floats('c_causal', [P, P], tri);

  // Mask (batch, 1, seq, total): the causal rows past..past+seq, plus padding from attention_mask.
  const seqLen = g.op('Slice', [g.op('Shape', [ids]), one, two]);
  const pastLen = g.op('Slice', [g.op('Shape', [pastName(0, 'key')]), two, three]);
  const total = g.op('Add', [pastLen, seqLen]);
  const rows = g.op('Slice', [
    causal,
    g.op('Concat', [pastLen, zero], { axis: 0 }),
    g.op('Concat', [total, total], { axis: 0 }),
    axes01,
  ]);
  const keep = g.op('Cast', [mask], { to: ONNX_FLOAT });
  const padding = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [fOne, keep]), fMasked]), axes12]);
  const bias = g.op('Add', [rows, padding]);

  const layerNorm = (x: string, prefix: string) =>
    g.op('LayerNormalization', [x, w(`${prefix}.weight`), w(`${prefix}.bias`)], {
      axis: -1,
      epsilon: { float: d.eps },
    });
  const linear = (x: string, prefix: string) =>
    g.op('Add', [g.op('MatMul', [x, w(`${prefix}.weight`)]), w(`${prefix}.bias`)]);
  const heads = (x: string) => g.op('Transpose', [g.op('Reshape', [x, headsShape])], { perm: [0, 2, 1, 3] });

  let h = g.op('Add', [
    g.op('Gather', [w('wte.weight'), ids], { axis: 0 }),
    g.op('Gather', [w('wpe.weight'), pos]),
  ]);
  for (let l = 0; l < d.nLayer; l++) {
    const p = `h.${l}`;
    const qkv = linear(layerNorm(h, `${p}.ln_1`), `${p}.attn.c_attn`);
    const [q, k, v] = g.node('Split', [qkv, splitQkv], { axis: -1 }, 3);
    const keys = g.op('Concat', [pastName(l, 'key'), heads(k)], { axis: 2 }, presentName(l, 'key'));
    const values = g.op('Concat', [pastName(l, 'value'), heads(v)], { axis: 2 }, presentName(l, 'value'));
    const scores = g.op('Mul', [
      g.op('MatMul', [heads(q), g.op('Transpose', [keys], { perm: [0, 1, 3, 2] })]),
      scale,
    ]);
    const probs = g.op('Softmax', [g.op('Add', [scores, bias])], { axis: -1 });
    const ctx = g.op('Transpose', [g.op('MatMul', [probs, values])], { perm: [0, 2, 1, 3] });
    h = g.op('Add', [h, linear(g.op('Reshape', [ctx, mergeShape]), `${p}.attn.c_proj`)]);
    const x = linear(layerNorm(h, `${p}.ln_2`), `${p}.mlp.c_fc`);
    // gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the engine's shaders/gelu.wgsl.
    const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
    const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, fCube])]), fSqrt2pi]);
    const gelu = g.op('Mul', [g.op('Mul', [x, fHalf]), g.op('Add', [g.op('Tanh', [inner]), fOne])]);
    h = g.op('Add', [h, linear(gelu, `${p}.mlp.c_proj`)]);
  }
  if (lastOnly) h = g.op('Gather', [h, g.op('Sub', [seqLen, one])], { axis: 1 }); // (batch, 1, C)
  const wteT = g.op('Transpose', [w('wte.weight')], { perm: [1, 0] });
  g.op('MatMul', [layerNorm(h, 'ln_f'), wteT], {}, 'logits');
  return g.serialize({ opset: ONNX_OPSET, producer: 'editscope', version: opts.producerVersion ?? '0.1.0' });
}
