// Llama-family hyperparameters (model_type 'llama', 'qwen2', 'qwen3'): parsing and validating a Hugging Face
// config.json, writing one back, and the parameter count. Field names follow ModelDims (language-model.ts).
// Every option that changes the math and that the engine does not implement (sliding-window attention, mixture
// of experts, scaled RoPE, another activation, MLP biases) is refused with a sentence, never silently ignored.

import { ConfigError } from './errors.ts';

export type LlamaFamily = 'llama' | 'qwen2' | 'qwen3';

export const LLAMA_FAMILIES: readonly LlamaFamily[] = ['llama', 'qwen2', 'qwen3'];

/** Which attention projections carry a bias. */
export type AttentionBias = 'none' | 'qkv' | 'qkvo';

export interface LlamaConfig {
  architecture: LlamaFamily;
  /** Transformer blocks (num_hidden_layers). */
  nLayer: number;
  /** Residual width (hidden_size). */
  nEmbd: number;
  /** MLP hidden width (intermediate_size). */
  nInner: number;
  /** Query heads (num_attention_heads). */
  nHead: number;
  /** Key/value heads (num_key_value_heads, default nHead); divides nHead. */
  nKvHead: number;
  /** Width of one head (head_dim; default hidden_size / num_attention_heads). */
  headDim: number;
  /** max_position_embeddings. */
  nPositions: number;
  vocabSize: number;
  /** rms_norm_eps. */
  eps: number;
  /** rope_theta (default 10000). */
  ropeTheta: number;
  /** lm_head shares embed_tokens (tie_word_embeddings). */
  tiedEmbeddings: boolean;
  /** Qwen2: q/k/v biases always; Llama/Qwen3 with attention_bias: q/k/v/o. */
  attentionBias: AttentionBias;
  /** Qwen3's per-head RMSNorm on q and k before RoPE. */
  qkNorm: boolean;
  /** torch_dtype (or dtype) as written, e.g. 'bfloat16'; null when absent. */
  dtype: string | null;
  bosTokenId: number | null;
  eosTokenId: number | null;
}

export const LLAMA_LIMITS = {
  nLayer: 512,
  nEmbd: 32768,
  nInner: 131072,
  nHead: 1024,
  nKvHead: 1024,
  headDim: 1024,
  nPositions: 1 << 22,
  vocabSize: 1 << 20,
  /** Total parameters: past this a Float32 copy alone exceeds what a browser tab or this engine can hold. */
  parameters: 16e9,
} as const;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parameter count as HF num_parameters() reports it (lm_head counted once when tied). */
export function llamaParameterCount(c: LlamaConfig): number {
  const q = c.nHead * c.headDim;
  const kv = c.nKvHead * c.headDim;
  const bias = c.attentionBias === 'none' ? 0 : q + 2 * kv + (c.attentionBias === 'qkvo' ? c.nEmbd : 0);
  const attn = c.nEmbd * q + 2 * c.nEmbd * kv + q * c.nEmbd + bias + (c.qkNorm ? 2 * c.headDim : 0);
  const mlp = 3 * c.nEmbd * c.nInner;
  const perBlock = attn + mlp + 2 * c.nEmbd;
  const embeddings = c.vocabSize * c.nEmbd * (c.tiedEmbeddings ? 1 : 2);
  return embeddings + c.nLayer * perBlock + c.nEmbd;
}

function int(raw: Record<string, unknown>, key: string, fileName: string, fallback?: number): number {
  const v = raw[key] ?? fallback;
  if (v === undefined) throw new ConfigError(fileName, `is missing the required field ${key}.`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ConfigError(fileName, `${key} must be a positive integer, got ${JSON.stringify(v)}.`);
  }
  return v;
}

function positiveNumber(
  raw: Record<string, unknown>,
  key: string,
  fileName: string,
  fallback: number,
): number {
  const v = raw[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new ConfigError(fileName, `${key} must be a positive number, got ${JSON.stringify(v)}.`);
  }
  return v;
}

function tokenId(v: unknown): number | null {
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

/** Refuses the features of these families that the engine does not run, each with what to do instead. */
function refuseUnsupported(raw: Record<string, unknown>, fileName: string): void {
  const fail = (problem: string) => new ConfigError(fileName, problem);
  const experts = raw.num_experts ?? raw.num_local_experts ?? raw.n_routed_experts;
  if ((typeof experts === 'number' && experts > 0) || Object.keys(raw).some((k) => k.startsWith('moe_'))) {
    throw fail(
      `describes a mixture-of-experts model (num_experts ${JSON.stringify(experts ?? null)}); Editscope runs dense models only. Pick a dense checkpoint such as Qwen/Qwen3-0.6B.`,
    );
  }
  if (raw.use_sliding_window === true) {
    throw fail(
      'sets use_sliding_window = true; sliding-window attention is not supported. Use a config with use_sliding_window false (full attention in every layer).',
    );
  }
  if (Array.isArray(raw.layer_types) && raw.layer_types.some((t) => t !== 'full_attention')) {
    const other = raw.layer_types.find((t) => t !== 'full_attention');
    throw fail(
      `has layer_types with ${JSON.stringify(other)} layers; only full_attention layers are supported (no sliding-window or linear attention).`,
    );
  }
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu' && act !== 'swish') {
    throw fail(
      `hidden_act ${JSON.stringify(act)} is not supported; Editscope implements the SwiGLU MLP with silu.`,
    );
  }
  const scaling = raw.rope_scaling;
  if (scaling !== undefined && scaling !== null) {
    const kind = isRecord(scaling) ? (scaling.rope_type ?? scaling.type) : scaling;
    if (kind !== 'default') {
      throw fail(
        `rope_scaling of kind ${JSON.stringify(kind)} is not supported; Editscope implements plain RoPE (rope_scaling null). Use a checkpoint without RoPE scaling.`,
      );
    }
  }
  if (raw.mlp_bias === true) {
    throw fail('sets mlp_bias = true; MLP biases are not supported (Llama and Qwen MLPs have none).');
  }
  if (raw.pretraining_tp !== undefined && raw.pretraining_tp !== 1) {
    throw fail(`pretraining_tp = ${JSON.stringify(raw.pretraining_tp)} is not supported; it must be 1.`);
  }
}

/**
 * Parses a config.json of model_type llama, qwen2 or qwen3 (the caller has read model_type). Defaults as in HF:
 * num_key_value_heads = num_attention_heads, head_dim = hidden_size / num_attention_heads, rope_theta 10000,
 * rms_norm_eps 1e-6, tie_word_embeddings false. Qwen2 always has q/k/v biases (HF's Qwen2Attention ignores
 * attention_bias); Llama and Qwen3 put one on q/k/v/o when attention_bias is true.
 */
export function parseLlamaConfig(
  raw: Record<string, unknown>,
  family: LlamaFamily,
  fileName: string,
): LlamaConfig {
  refuseUnsupported(raw, fileName);
  const nEmbd = int(raw, 'hidden_size', fileName);
  const nHead = int(raw, 'num_attention_heads', fileName);
  const nKvHead = int(raw, 'num_key_value_heads', fileName, nHead);
  const explicitHeadDim = raw.head_dim !== undefined && raw.head_dim !== null;
  if (!explicitHeadDim && nEmbd % nHead !== 0) {
    throw new ConfigError(
      fileName,
      `hidden_size (${nEmbd}) is not divisible by num_attention_heads (${nHead}) and no head_dim is given.`,
    );
  }
  const headDim = explicitHeadDim ? int(raw, 'head_dim', fileName) : nEmbd / nHead;
  const tie = raw.tie_word_embeddings ?? false;
  if (typeof tie !== 'boolean')
    throw new ConfigError(fileName, `tie_word_embeddings must be true or false, got ${JSON.stringify(tie)}.`);
  const bias = family === 'qwen2' ? true : (raw.attention_bias ?? false);
  if (typeof bias !== 'boolean')
    throw new ConfigError(fileName, `attention_bias must be true or false, got ${JSON.stringify(bias)}.`);
  const dtype = raw.torch_dtype ?? raw.dtype ?? null;
  const config: LlamaConfig = {
    architecture: family,
    nLayer: int(raw, 'num_hidden_layers', fileName),
    nEmbd,
    nInner: int(raw, 'intermediate_size', fileName),
    nHead,
    nKvHead,
    headDim,
    nPositions: int(raw, 'max_position_embeddings', fileName),
    vocabSize: int(raw, 'vocab_size', fileName),
    eps: positiveNumber(raw, 'rms_norm_eps', fileName, 1e-6),
    ropeTheta: positiveNumber(raw, 'rope_theta', fileName, 10000),
    tiedEmbeddings: tie,
    attentionBias: !bias ? 'none' : family === 'qwen2' ? 'qkv' : 'qkvo',
    qkNorm: family === 'qwen3',
    dtype: typeof dtype === 'string' ? dtype : null,
    bosTokenId: tokenId(raw.bos_token_id),
    eosTokenId: tokenId(raw.eos_token_id),
  };
  return validateLlamaConfig(config, fileName);
}

/** Checks limits and divisibility of hyperparameters from outside (a file, a generator's options). */
export function validateLlamaConfig(c: LlamaConfig, fileName: string): LlamaConfig {
  const names: Record<keyof typeof LLAMA_LIMITS & keyof LlamaConfig, string> = {
    nLayer: 'num_hidden_layers',
    nEmbd: 'hidden_size',
    nInner: 'intermediate_size',
    nHead: 'num_attention_heads',
    nKvHead: 'num_key_value_heads',
    headDim: 'head_dim',
    nPositions: 'max_position_embeddings',
    vocabSize: 'vocab_size',
  };
  for (const [key, hf] of Object.entries(names) as [keyof typeof names, string][]) {
    const v = c[key];
    if (!Number.isInteger(v) || v <= 0)
      throw new ConfigError(fileName, `${hf} must be a positive integer, got ${v}.`);
    if (v > LLAMA_LIMITS[key]) {
      throw new ConfigError(
        fileName,
        `${hf} = ${v} is absurdly large (limit ${LLAMA_LIMITS[key]}); the file is damaged or not a ${c.architecture} config.`,
      );
    }
  }
  if (c.nHead % c.nKvHead !== 0) {
    throw new ConfigError(
      fileName,
      `num_attention_heads (${c.nHead}) must be a multiple of num_key_value_heads (${c.nKvHead}) for grouped-query attention.`,
    );
  }
  if (c.headDim % 2 !== 0) {
    throw new ConfigError(fileName, `head_dim (${c.headDim}) must be even: rotary embeddings rotate pairs.`);
  }
  if (!(c.eps < 1))
    throw new ConfigError(fileName, `rms_norm_eps must be a small positive number, got ${c.eps}.`);
  const params = llamaParameterCount(c);
  if (params > LLAMA_LIMITS.parameters) {
    throw new ConfigError(
      fileName,
      `this config describes ${(params / 1e9).toFixed(1)}B parameters, more than the ${LLAMA_LIMITS.parameters / 1e9}B Editscope can hold.`,
    );
  }
  return c;
}

/** A config.json that HF transformers loads (LlamaForCausalLM / Qwen2ForCausalLM / Qwen3ForCausalLM) and we read. */
export function serializeLlamaConfig(
  c: LlamaConfig,
  options: { dtype?: 'F32' | 'F16' | 'BF16' } = {},
): string {
  const arch = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' }[
    c.architecture
  ];
  const dtype = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[options.dtype ?? 'F32'];
  const json: Record<string, unknown> = {
    architectures: [arch],
    model_type: c.architecture,
    hidden_size: c.nEmbd,
    intermediate_size: c.nInner,
    num_hidden_layers: c.nLayer,
    num_attention_heads: c.nHead,
    num_key_value_heads: c.nKvHead,
    head_dim: c.headDim,
    max_position_embeddings: c.nPositions,
    vocab_size: c.vocabSize,
    rms_norm_eps: c.eps,
    rope_theta: c.ropeTheta,
    rope_scaling: null,
    hidden_act: 'silu',
    tie_word_embeddings: c.tiedEmbeddings,
    attention_bias: c.attentionBias !== 'none',
    torch_dtype: dtype,
  };
  if (c.architecture !== 'llama') json.use_sliding_window = false;
  if (c.bosTokenId !== null) json.bos_token_id = c.bosTokenId;
  if (c.eosTokenId !== null) json.eos_token_id = c.eosTokenId;
  return JSON.stringify(json, null, 2) + '\n';
}
