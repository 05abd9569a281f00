import { describe, expect, it } from 'vitest';
import { modelParameterCount, parseModelConfig, type ModelConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { llamaParameterCount, serializeLlamaConfig, type LlamaConfig } from './llama-config.ts';
import { QWEN3_0_6B_CONFIG_JSON, QWEN3_1_7B, tinyQwen3Config } from './llama-testing.ts';

const FILE = 'repo/config.json';

// Qwen/Qwen2.5-0.5B's config.json (abridged to the fields that matter; as published).
const QWEN2_5_0_5B = {
  architectures: ['Qwen2ForCausalLM'],
  hidden_act: 'silu',
  hidden_size: 896,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  max_window_layers: 24,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  use_sliding_window: false,
  vocab_size: 151936,
};

// TinyLlama/TinyLlama-1.1B-Chat-v1.0's config.json.
const TINYLLAMA = {
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 5632,
  max_position_embeddings: 2048,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 22,
  num_key_value_heads: 4,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 10000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  vocab_size: 32000,
};

function parse(json: object | string): ModelConfig {
  return parseModelConfig(typeof json === 'string' ? json : JSON.stringify(json), FILE);
}

function problemOf(json: object): string {
  try {
    parse(json);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).file).toBe(FILE);
    return (e as ConfigError).problem;
  }
  throw new Error('expected a ConfigError');
}

describe('parseModelConfig: the Llama family', () => {
  it("reads Qwen3-0.6B's config.json: explicit head_dim, GQA, q/k norms, tied, 596M parameters", () => {
    const c = parse(QWEN3_0_6B_CONFIG_JSON) as LlamaConfig;
    expect(c).toMatchObject({
      architecture: 'qwen3',
      nLayer: 28,
      nEmbd: 1024,
      nInner: 3072,
      nHead: 16,
      nKvHead: 8,
      headDim: 128, // not 1024 / 16
      nPositions: 40960,
      vocabSize: 151936,
      eps: 1e-6,
      ropeTheta: 1e6,
      tiedEmbeddings: true,
      attentionBias: 'none',
      qkNorm: true,
      dtype: 'bfloat16',
      eosTokenId: 151645,
    });
    // HF's model card: 0.6B parameters, 0.44B without embeddings.
    expect(modelParameterCount(c)).toBe(596_049_920);
    expect(llamaParameterCount(c) - c.vocabSize * c.nEmbd).toBe(440_467_456);
    // Qwen3-1.7B, for the memory projection: 1.7B (1.4B without embeddings).
    expect(llamaParameterCount({ ...c, ...QWEN3_1_7B })).toBe(1_720_574_976);
  });

  it('reads Qwen2 with its q/k/v biases and Llama with defaults for head_dim', () => {
    const q = parse(QWEN2_5_0_5B) as LlamaConfig;
    expect(q).toMatchObject({ architecture: 'qwen2', headDim: 64, attentionBias: 'qkv', qkNorm: false });
    expect(modelParameterCount(q)).toBe(494_032_768); // Qwen2.5-0.5B: 0.49B
    const l = parse(TINYLLAMA) as LlamaConfig;
    expect(l).toMatchObject({ architecture: 'llama', headDim: 64, nKvHead: 4, tiedEmbeddings: false });
    expect(l).toMatchObject({ attentionBias: 'none', eps: 1e-5, bosTokenId: 1 });
    expect(modelParameterCount(l)).toBe(1_100_048_384); // TinyLlama 1.1B
    const minimal = parse({ ...TINYLLAMA, num_key_value_heads: undefined, rms_norm_eps: undefined });
    expect(minimal).toMatchObject({ nKvHead: 32, eps: 1e-6 });
  });

  it('round-trips through serializeLlamaConfig', () => {
    for (const c of [
      tinyQwen3Config(),
      parse(QWEN2_5_0_5B) as LlamaConfig,
      parse(TINYLLAMA) as LlamaConfig,
    ]) {
      const back = parse(serializeLlamaConfig(c, { dtype: 'BF16' })) as LlamaConfig;
      expect({ ...back, dtype: null }).toEqual({ ...c, dtype: null });
      expect(back.dtype).toBe('bfloat16');
    }
  });

  it('still reads GPT-2 configs, with and without model_type', () => {
    const gpt2 = { n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 64 };
    expect(parse(gpt2)).toMatchObject({ architecture: 'gpt2', nLayer: 2, eps: 1e-5 });
    expect(parse({ ...gpt2, model_type: 'gpt2' }).architecture).toBe('gpt2');
  });

  it('refuses other model types, MoE, sliding windows, scaled RoPE and other activations with a sentence', () => {
    expect(problemOf({ model_type: 'bert' })).toBe(
      'model_type "bert" is not supported. Editscope runs gpt2, llama, qwen2 and qwen3 checkpoints.',
    );
    expect(problemOf({ ...TINYLLAMA, model_type: 'qwen3_moe' })).toMatch(
      /qwen3_moe" is not supported: Qwen3 mixture-of-experts .* pick a dense Qwen3/,
    );
    expect(problemOf({ ...QWEN2_5_0_5B, model_type: 'qwen3', num_experts: 128 })).toMatch(
      /mixture-of-experts model .*dense models only/,
    );
    expect(problemOf({ ...QWEN2_5_0_5B, moe_intermediate_size: 768 })).toMatch(/mixture-of-experts/);
    expect(problemOf({ ...QWEN2_5_0_5B, use_sliding_window: true })).toMatch(
      /use_sliding_window = true; sliding-window attention is not supported/,
    );
    expect(problemOf({ ...QWEN2_5_0_5B, layer_types: ['full_attention', 'sliding_attention'] })).toMatch(
      /"sliding_attention" layers; only full_attention/,
    );
    expect(problemOf({ ...TINYLLAMA, rope_scaling: { rope_type: 'llama3', factor: 8 } })).toMatch(
      /rope_scaling of kind "llama3" is not supported/,
    );
    expect(problemOf({ ...TINYLLAMA, rope_scaling: { type: 'linear', factor: 2 } })).toMatch(/"linear"/);
    expect(problemOf({ ...TINYLLAMA, hidden_act: 'gelu' })).toMatch(/hidden_act "gelu" is not supported/);
    expect(problemOf({ ...TINYLLAMA, mlp_bias: true })).toMatch(/mlp_bias/);
  });

  it('refuses broken or absurd dimensions', () => {
    expect(problemOf({ ...TINYLLAMA, hidden_size: undefined })).toBe(
      'is missing the required field hidden_size.',
    );
    expect(problemOf({ ...TINYLLAMA, num_key_value_heads: 5 })).toMatch(
      /num_attention_heads \(32\) must be a multiple of num_key_value_heads \(5\)/,
    );
    expect(problemOf({ ...TINYLLAMA, hidden_size: 2050 })).toMatch(/not divisible by num_attention_heads/);
    expect(problemOf({ ...TINYLLAMA, head_dim: 7, hidden_size: 224 })).toMatch(/head_dim \(7\) must be even/);
    expect(problemOf({ ...TINYLLAMA, num_hidden_layers: 1e6 })).toMatch(/absurdly large/);
    expect(problemOf({ ...TINYLLAMA, vocab_size: -3 })).toMatch(/vocab_size must be a positive integer/);
    expect(problemOf({ ...TINYLLAMA, tie_word_embeddings: 'yes' })).toMatch(/tie_word_embeddings/);
    expect(
      problemOf({ ...TINYLLAMA, hidden_size: 16384, intermediate_size: 65536, num_hidden_layers: 200 }),
    ).toMatch(/B parameters, more than/);
  });
});
