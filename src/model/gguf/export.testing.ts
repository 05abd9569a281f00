// Test and tool code only: an HF checkpoint (config.json object, tensors under HF names, tokenizer.json) written as
// a GGUF file the way llama.cpp's converter lays it out (names, metadata keys, llama's RoPE row permutation,
// GPT-2's Conv1D weights transposed, tokenizer.ggml.*), with every tensor encoded by the test quantizers.

import { GgmlType } from './format.ts';
import type { GgufArchitecture } from './names.ts';
import { meta, writeGguf, type MetaValue, type TensorToWrite } from './writer.testing.ts';

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** tokenizer.ggml.* metadata for a byte-level BPE tokenizer.json. */
export function tokenizerMeta(tokenizerJson: string): [string, MetaValue][] {
  const j = JSON.parse(tokenizerJson) as Record<string, unknown>;
  const model = j.model as { vocab: Record<string, number>; merges: (string | [string, string])[] };
  const added = (j.added_tokens ?? []) as { id: number; content: string; special: boolean }[];
  let n = 0;
  for (const id of Object.values(model.vocab)) n = Math.max(n, id + 1);
  for (const a of added) n = Math.max(n, a.id + 1);
  const tokens = new Array<string>(n).fill('');
  const types = new Array<number>(n).fill(1);
  for (const [t, id] of Object.entries(model.vocab)) tokens[id] = t;
  for (const a of added) {
    tokens[a.id] = a.content;
    types[a.id] = a.special ? 3 : 4;
  }
  const pre = j.pre_tokenizer;
  const regex =
    isRecord(pre) && Array.isArray(pre.pretokenizers)
      ? ((pre.pretokenizers[0] as { pattern?: { Regex?: string } }).pattern?.Regex ?? '')
      : '';
  return [
    ['tokenizer.ggml.model', meta.str('gpt2')],
    ['tokenizer.ggml.pre', meta.str(regex.includes('\\p{N}{1,3}') ? 'llama-bpe' : regex ? 'qwen2' : 'gpt-2')],
    ['tokenizer.ggml.tokens', meta.strs(tokens)],
    ['tokenizer.ggml.token_type', meta.i32s(types)],
    ['tokenizer.ggml.merges', meta.strs(model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m)))],
  ];
}

const LLAMA: [RegExp, string][] = [
  [/^model\.embed_tokens\./, 'token_embd.'],
  [/^model\.norm\./, 'output_norm.'],
  [/^lm_head\./, 'output.'],
  [/^model\.layers\.(\d+)\.input_layernorm\./, 'blk.$1.attn_norm.'],
  [/^model\.layers\.(\d+)\.post_attention_layernorm\./, 'blk.$1.ffn_norm.'],
  [/^model\.layers\.(\d+)\.self_attn\.o_proj\./, 'blk.$1.attn_output.'],
  [/^model\.layers\.(\d+)\.self_attn\.([qkv])_proj\./, 'blk.$1.attn_$2.'],
  [/^model\.layers\.(\d+)\.self_attn\.([qk])_norm\./, 'blk.$1.attn_$2_norm.'],
  [/^model\.layers\.(\d+)\.mlp\.(gate|up|down)_proj\./, 'blk.$1.ffn_$2.'],
];
const GPT2: [RegExp, string][] = [
  [/^wte\./, 'token_embd.'],
  [/^wpe\./, 'position_embd.'],
  [/^ln_f\./, 'output_norm.'],
  [/^h\.(\d+)\.ln_1\./, 'blk.$1.attn_norm.'],
  [/^h\.(\d+)\.ln_2\./, 'blk.$1.ffn_norm.'],
  [/^h\.(\d+)\.attn\.c_attn\./, 'blk.$1.attn_qkv.'],
  [/^h\.(\d+)\.attn\.c_proj\./, 'blk.$1.attn_output.'],
  [/^h\.(\d+)\.mlp\.c_fc\./, 'blk.$1.ffn_up.'],
  [/^h\.(\d+)\.mlp\.c_proj\./, 'blk.$1.ffn_down.'],
];

export function ggufName(arch: GgufArchitecture, hf: string): string {
  for (const [re, to] of arch === 'gpt2' ? GPT2 : LLAMA) if (re.test(hf)) return hf.replace(re, to);
  throw new RangeError(`No GGUF name for ${hf}.`);
}

function permuteRope(w: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  const hd = rows / heads;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++)
    for (let j = 0; j < 2; j++)
      for (let i = 0; i < hd / 2; i++) {
        const src = (h * hd + j * (hd / 2) + i) * cols;
        out.set(w.subarray(src, src + cols), (h * hd + 2 * i + j) * cols);
      }
  return out;
}

export interface HfModelToWrite {
  config: Record<string, unknown>;
  /** HF name → PyTorch-order shape and values. */
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  tokenizerJson: string;
  /** ggml type per tensor; 1-D tensors are F32, rows not a multiple of the block size fall back to Q8_0 or F32. */
  type: (hfName: string, shape: number[]) => number;
}

const BLOCK: Record<number, number> = {
  [GgmlType.Q8_0]: 32,
  [GgmlType.Q4_0]: 32,
  [GgmlType.Q4_K]: 256,
  [GgmlType.Q6_K]: 256,
};

export function hfToGguf(m: HfModelToWrite): Uint8Array {
  const c = m.config;
  const arch = c.model_type as GgufArchitecture;
  const k = (key: string) => `${arch}.${key}`;
  const md: [string, MetaValue][] = [
    ['general.architecture', meta.str(arch)],
    ['general.name', meta.str('editscope test model')],
  ];
  if (arch === 'gpt2') {
    md.push(
      [k('embedding_length'), meta.u32(Number(c.n_embd))],
      [k('block_count'), meta.u32(Number(c.n_layer))],
      [k('attention.head_count'), meta.u32(Number(c.n_head))],
      [k('context_length'), meta.u32(Number(c.n_positions))],
      [k('feed_forward_length'), meta.u32(4 * Number(c.n_embd))],
      [k('attention.layer_norm_epsilon'), meta.f32(Number(c.layer_norm_epsilon ?? 1e-5))],
    );
  } else {
    md.push(
      [k('embedding_length'), meta.u32(Number(c.hidden_size))],
      [k('block_count'), meta.u32(Number(c.num_hidden_layers))],
      [k('feed_forward_length'), meta.u32(Number(c.intermediate_size))],
      [k('attention.head_count'), meta.u32(Number(c.num_attention_heads))],
      [k('attention.head_count_kv'), meta.u32(Number(c.num_key_value_heads))],
      [k('attention.key_length'), meta.u32(Number(c.head_dim))],
      [k('attention.value_length'), meta.u32(Number(c.head_dim))],
      [k('attention.layer_norm_rms_epsilon'), meta.f32(Number(c.rms_norm_eps))],
      [k('rope.freq_base'), meta.f32(Number(c.rope_theta))],
      [k('context_length'), meta.u32(Number(c.max_position_embeddings))],
    );
  }
  md.push(...tokenizerMeta(m.tokenizerJson));
  if (typeof c.eos_token_id === 'number') md.push(['tokenizer.ggml.eos_token_id', meta.u32(c.eos_token_id)]);
  if (typeof c.bos_token_id === 'number') md.push(['tokenizer.ggml.bos_token_id', meta.u32(c.bos_token_id)]);
  const tensors: TensorToWrite[] = [];
  for (const [hf, { shape, data }] of m.tensors) {
    if (hf === 'lm_head.weight' && c.tie_word_embeddings) continue;
    let rows = shape[0];
    let cols = shape.length === 2 ? shape[1] : 1;
    let values = data;
    if (arch === 'gpt2' && shape.length === 2 && /^h\.\d+\.(attn|mlp)\.c_/.test(hf)) {
      const t = new Float32Array(data.length);
      for (let r = 0; r < rows; r++)
        for (let col = 0; col < cols; col++) t[col * rows + r] = data[r * cols + col];
      values = t;
      [rows, cols] = [cols, rows];
    }
    if (arch === 'llama' && /self_attn\.[qk]_proj\.weight$/.test(hf)) {
      const heads = Number(hf.includes('q_proj') ? c.num_attention_heads : c.num_key_value_heads);
      values = permuteRope(values, rows, cols, heads);
    }
    let type = shape.length === 2 ? m.type(hf, shape) : GgmlType.F32;
    // Rows that do not fill the type's blocks fall back to Q8_0, then F32 (llama.cpp's quantizer also mixes types).
    if (BLOCK[type] && cols % BLOCK[type] !== 0) type = cols % 32 === 0 ? GgmlType.Q8_0 : GgmlType.F32;
    tensors.push({
      name: ggufName(arch, hf),
      dims: shape.length === 2 ? [cols, rows] : [rows],
      type,
      data: values,
    });
  }
  return writeGguf(md, tensors);
}
