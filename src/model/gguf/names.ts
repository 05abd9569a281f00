// From GGUF's names and metadata to Hugging Face's: the tensor names llama.cpp's converter writes (token_embd,
// blk.N.attn_q, ..., output_norm, output) back to the transformers names, and the `{arch}.*` metadata back to a
// config.json object, so the rest of the engine sees a GGUF file as the HF checkpoint it was converted from.
//
// Layout conventions of llama.cpp's convert_hf_to_gguf.py that must be undone:
// - llama: q_proj and k_proj rows are permuted from HF's rotate-half RoPE layout (the two halves of each head)
//   to the interleaved pairs llama.cpp's "normal" RoPE uses: HF row h·hd + j·hd/2 + i is stored at h·hd + 2i + j.
//   Qwen2/Qwen3 use llama.cpp's NeoX RoPE, the HF layout, and are written unpermuted.
// - gpt2: HF's Conv1D weights (in, out) are stored transposed, as (out, in) like every other linear layer.

import type { GgufFile, GgufTensorInfo } from './reader.ts';
import { GgufError, metaNumber, metaString, metaStrings } from './reader.ts';

export type GgufArchitecture = 'qwen3' | 'llama' | 'gpt2';
const ARCHITECTURES: readonly GgufArchitecture[] = ['qwen3', 'llama', 'gpt2'];

export function ggufArchitecture(file: GgufFile): GgufArchitecture {
  const arch = metaString(file, 'general.architecture');
  if (arch === undefined) throw new GgufError(file.fileName, 'has no general.architecture metadata.');
  if (!(ARCHITECTURES as readonly string[]).includes(arch)) {
    throw new GgufError(
      file.fileName,
      `is a ${JSON.stringify(arch)} model; Editscope runs ${ARCHITECTURES.join(', ')} GGUF files.`,
    );
  }
  return arch as GgufArchitecture;
}

const LLAMA_BLOCK: Record<string, string> = {
  attn_norm: 'input_layernorm',
  attn_q: 'self_attn.q_proj',
  attn_k: 'self_attn.k_proj',
  attn_v: 'self_attn.v_proj',
  attn_output: 'self_attn.o_proj',
  attn_q_norm: 'self_attn.q_norm',
  attn_k_norm: 'self_attn.k_norm',
  ffn_norm: 'post_attention_layernorm',
  ffn_gate: 'mlp.gate_proj',
  ffn_up: 'mlp.up_proj',
  ffn_down: 'mlp.down_proj',
};
const LLAMA_TOP: Record<string, string> = {
  token_embd: 'model.embed_tokens',
  output_norm: 'model.norm',
  output: 'lm_head',
};
const GPT2_BLOCK: Record<string, string> = {
  attn_norm: 'ln_1',
  attn_qkv: 'attn.c_attn',
  attn_output: 'attn.c_proj',
  ffn_norm: 'ln_2',
  ffn_up: 'mlp.c_fc',
  ffn_down: 'mlp.c_proj',
};
const GPT2_TOP: Record<string, string> = {
  token_embd: 'wte',
  position_embd: 'wpe',
  output_norm: 'ln_f',
  output: 'lm_head',
};

/** The HF name of a GGUF tensor, or null when the architecture has no such tensor. */
export function hfTensorName(arch: GgufArchitecture, name: string): string | null {
  const m = /^(?:blk\.(\d+)\.)?([a-z_]+)\.(weight|bias)$/.exec(name);
  if (!m) return null;
  const [, layer, base, kind] = m;
  const gpt2 = arch === 'gpt2';
  if (layer !== undefined) {
    const hf = (gpt2 ? GPT2_BLOCK : LLAMA_BLOCK)[base];
    if (!hf) return null;
    return gpt2 ? `h.${layer}.${hf}.${kind}` : `model.layers.${layer}.${hf}.${kind}`;
  }
  const hf = (gpt2 ? GPT2_TOP : LLAMA_TOP)[base];
  return hf ? `${hf}.${kind}` : null;
}

function required(file: GgufFile, key: string): number {
  const v = metaNumber(file, key);
  if (v === undefined) throw new GgufError(file.fileName, `has no ${key} metadata, which a model needs.`);
  return v;
}

function tokenId(file: GgufFile, key: string): number | undefined {
  return metaNumber(file, `tokenizer.ggml.${key}`);
}

/** The config.json (HF field names) of the model in `file`. */
export function ggufConfig(file: GgufFile): Record<string, unknown> {
  const arch = ggufArchitecture(file);
  const k = (key: string) => `${arch}.${key}`;
  const embd = file.tensors.find((t) => t.name === 'token_embd.weight');
  if (!embd || embd.dims.length !== 2) {
    throw new GgufError(file.fileName, 'has no 2-D token_embd.weight tensor (the token embeddings).');
  }
  const vocabSize = metaNumber(file, k('vocab_size')) ?? embd.dims[1];
  const tokens = metaStrings(file, 'tokenizer.ggml.tokens');
  if (tokens && tokens.length > vocabSize) {
    throw new GgufError(
      file.fileName,
      `has ${tokens.length} tokens but an embedding table of ${vocabSize} rows.`,
    );
  }
  const common = {
    vocab_size: vocabSize,
    bos_token_id: tokenId(file, 'bos_token_id'),
    eos_token_id: tokenId(file, 'eos_token_id'),
    tie_word_embeddings: !file.tensors.some((t) => t.name === 'output.weight'),
  };
  if (arch === 'gpt2') {
    return {
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      n_embd: required(file, k('embedding_length')),
      n_layer: required(file, k('block_count')),
      n_head: required(file, k('attention.head_count')),
      n_positions: required(file, k('context_length')),
      layer_norm_epsilon: metaNumber(file, k('attention.layer_norm_epsilon')) ?? 1e-5,
      ...common,
    };
  }
  if (file.tensors.some((t) => t.name === 'rope_freqs.weight')) {
    throw new GgufError(
      file.fileName,
      'uses Llama 3.1 RoPE frequency scaling (rope_freqs.weight), which Editscope does not implement.',
    );
  }
  const hidden = required(file, k('embedding_length'));
  const heads = required(file, k('attention.head_count'));
  return {
    architectures: [arch === 'qwen3' ? 'Qwen3ForCausalLM' : 'LlamaForCausalLM'],
    model_type: arch,
    hidden_size: hidden,
    intermediate_size: required(file, k('feed_forward_length')),
    num_hidden_layers: required(file, k('block_count')),
    num_attention_heads: heads,
    num_key_value_heads: metaNumber(file, k('attention.head_count_kv')) ?? heads,
    head_dim: metaNumber(file, k('attention.key_length')) ?? hidden / heads,
    rms_norm_eps: metaNumber(file, k('attention.layer_norm_rms_epsilon')) ?? 1e-6,
    rope_theta: metaNumber(file, k('rope.freq_base')) ?? (arch === 'qwen3' ? 1_000_000 : 10_000),
    max_position_embeddings: metaNumber(file, k('context_length')) ?? 4096,
    hidden_act: 'silu',
    ...common,
  };
}

/** Rows of a (rows, cols) row-major matrix with llama.cpp's RoPE pair permutation undone (see the header). */
export function unpermuteRope(w: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  const hd = rows / heads;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < hd / 2; i++) {
      for (let j = 0; j < 2; j++) {
        const src = (h * hd + 2 * i + j) * cols;
        out.set(w.subarray(src, src + cols), (h * hd + j * (hd / 2) + i) * cols);
      }
    }
  }
  return out;
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

export interface HfTensor {
  name: string;
  /** PyTorch order. */
  shape: number[];
  data: Float32Array;
}

/**
 * The HF tensor for one decoded GGUF tensor: name mapped, dims reversed to PyTorch order, and the converter's
 * layout changes undone. `config` is ggufConfig(file).
 */
export function toHfTensor(
  file: GgufFile,
  arch: GgufArchitecture,
  config: Record<string, unknown>,
  info: GgufTensorInfo,
  data: Float32Array,
): HfTensor {
  const name = hfTensorName(arch, info.name);
  if (!name) {
    throw new GgufError(
      file.fileName,
      `has tensor ${JSON.stringify(info.name)}, which a ${arch} model does not have.`,
    );
  }
  let shape = [...info.dims].reverse();
  if (arch === 'llama' && shape.length === 2 && /^blk\.\d+\.attn_[qk]\.weight$/.test(info.name)) {
    const heads = Number(
      info.name.includes('attn_q') ? config.num_attention_heads : config.num_key_value_heads,
    );
    if (!Number.isInteger(heads) || heads < 1 || shape[0] % (2 * heads) !== 0) {
      throw new GgufError(
        file.fileName,
        `tensor ${info.name} has ${shape[0]} rows, not a whole number of ${heads} heads of even size.`,
      );
    }
    return { name, shape, data: unpermuteRope(data, shape[0], shape[1], heads) };
  }
  if (
    arch === 'gpt2' &&
    shape.length === 2 &&
    /^blk\.\d+\.(attn_qkv|attn_output|ffn_up|ffn_down)\.weight$/.test(info.name)
  ) {
    data = transpose(data, shape[0], shape[1]);
    shape = [shape[1], shape[0]];
  }
  return { name, shape, data };
}
