// Test fixtures for Llama-family checkpoints (no vitest import, so e2e fixtures, benches and engine tests can use
// them): HF configs of real models, a tiny random Qwen3/Llama with a tokenizer of exactly `vocabSize` tokens.

import type { ModelCheckpoint } from './checkpoint.ts';
import { validateLlamaConfig, type LlamaConfig } from './llama-config.ts';
import { llamaParameterShapes } from './llama-layout.ts';
import { seededRandom, tinyTokenizerJson } from './testing.ts';
import { TextTokenizer } from './tokenizer.ts';

/** Qwen/Qwen3-0.6B's config.json as published on the hub (transformers 4.51). */
export const QWEN3_0_6B_CONFIG_JSON = `{
  "architectures": ["Qwen3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
  "bos_token_id": 151643, "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu",
  "hidden_size": 1024, "initializer_range": 0.02, "intermediate_size": 3072, "max_position_embeddings": 40960,
  "max_window_layers": 28, "model_type": "qwen3", "num_attention_heads": 16, "num_hidden_layers": 28,
  "num_key_value_heads": 8, "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 1000000,
  "sliding_window": null, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
  "transformers_version": "4.51.0", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936
}`;

/** Qwen/Qwen3-1.7B's shape (same family, wider): for memory projections. */
export const QWEN3_1_7B: Pick<
  LlamaConfig,
  'nLayer' | 'nEmbd' | 'nInner' | 'nHead' | 'nKvHead' | 'headDim' | 'vocabSize' | 'tiedEmbeddings'
> = {
  nLayer: 28,
  nEmbd: 2048,
  nInner: 6144,
  nHead: 16,
  nKvHead: 8,
  headDim: 128,
  vocabSize: 151936,
  tiedEmbeddings: true,
};

/** A tiny Qwen3 (head_dim independent of hidden size, grouped-query attention, q/k norms, tied head). */
export function tinyQwen3Config(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return validateLlamaConfig(
    {
      architecture: 'qwen3',
      nLayer: 2,
      nEmbd: 24,
      nInner: 40,
      nHead: 4,
      nKvHead: 2,
      headDim: 8,
      nPositions: 64,
      vocabSize: 48,
      eps: 1e-6,
      ropeTheta: 10000,
      tiedEmbeddings: true,
      attentionBias: 'none',
      qkNorm: true,
      dtype: null,
      bosTokenId: null,
      eosTokenId: null,
      ...overrides,
    },
    'tinyQwen3Config',
  );
}

/** Random weights for `config`: norm gains near 1, everything else small (deterministic in `seed`). */
export function randomLlamaWeights(config: LlamaConfig, seed = 1, scale = 0.1): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  llamaParameterShapes(config).forEach(({ name, shape }, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = seededRandom(n, seed * 1000 + i, scale);
    if (/norm\.weight$/.test(name)) for (let j = 0; j < n; j++) data[j] += 1;
    weights.set(name, data);
  });
  return weights;
}

/** A complete random checkpoint with a byte-level BPE tokenizer of exactly vocabSize (31..67) tokens. */
export function tinyLlamaCheckpoint(config: LlamaConfig, seed = 1): ModelCheckpoint {
  return {
    config: { ...config },
    weights: randomLlamaWeights(config, seed),
    tokenizer: TextTokenizer.fromJson(
      tinyTokenizerJson(config.vocabSize),
      'tiny tokenizer.json',
      config.vocabSize,
    ),
    dtype: 'F32',
  };
}
