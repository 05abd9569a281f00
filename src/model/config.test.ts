import { describe, expect, it } from 'vitest';
import { GPT2_PRESETS, gpt2ParameterCount, parseGpt2Config, serializeGpt2Config } from './config.ts';
import { ConfigError } from './errors.ts';

const FILE = 'gpt2/config.json';

// openai-community/gpt2's config.json as published on the hub.
const HF_GPT2_CONFIG = `{
  "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
  "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
  "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12,
  "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1, "summary_activation": null,
  "summary_first_dropout": 0.1, "summary_proj_to_labels": true, "summary_type": "cls_index",
  "summary_use_proj": true, "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
  "vocab_size": 50257
}`;

const TINY = { model_type: 'gpt2', n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 64 };

function problemOf(json: object | string): string {
  try {
    parseGpt2Config(typeof json === 'string' ? json : JSON.stringify(json), FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).file).toBe(FILE);
    return (e as ConfigError).problem;
  }
  throw new Error('expected a ConfigError');
}

describe('parseGpt2Config', () => {
  it("reads openai-community/gpt2's config.json as the gpt2 preset", () => {
    expect(parseGpt2Config(HF_GPT2_CONFIG, FILE)).toEqual(GPT2_PRESETS.gpt2);
  });

  it('counts parameters as HF num_parameters() does (124,439,808 and 354,823,168)', () => {
    expect(gpt2ParameterCount(GPT2_PRESETS.gpt2)).toBe(124_439_808);
    expect(gpt2ParameterCount(GPT2_PRESETS['gpt2-medium'])).toBe(354_823_168);
  });

  it("defaults layer_norm_epsilon to HF's 1e-5 and accepts a config without model_type", () => {
    const { model_type: _ignored, ...noType } = TINY;
    expect(parseGpt2Config(JSON.stringify(noType), FILE)).toEqual(GPT2_PRESETS.tiny);
  });

  it('round-trips through serializeGpt2Config, with the fields transformers needs', () => {
    const text = serializeGpt2Config(GPT2_PRESETS['gpt2-medium'], { eosId: 50256, dtype: 'F16' });
    expect(parseGpt2Config(text, FILE)).toEqual(GPT2_PRESETS['gpt2-medium']);
    const json = JSON.parse(text);
    expect(json.model_type).toBe('gpt2');
    expect(json.architectures).toEqual(['GPT2LMHeadModel']);
    expect(json.eos_token_id).toBe(50256);
    expect(json.torch_dtype).toBe('float16');
  });

  it('names the architecture of a config that is not GPT-2', () => {
    expect(problemOf({ model_type: 'llama', num_hidden_layers: 16 })).toMatch(
      /^this is a llama model, not GPT-2/,
    );
  });

  it('refuses broken JSON and non-objects', () => {
    expect(problemOf('{"n_layer": 2,')).toMatch(/not valid JSON/);
    expect(problemOf('[2, 2]')).toMatch(/JSON object/);
  });

  it('refuses missing fields', () => {
    const { n_head: _ignored, ...noHead } = TINY;
    expect(problemOf(noHead)).toMatch(/missing the required field n_head/);
  });

  it('refuses non-integer, zero, negative and absurd dimensions', () => {
    expect(problemOf({ ...TINY, n_layer: 2.5 })).toMatch(/n_layer must be an integer, got 2.5/);
    expect(problemOf({ ...TINY, n_embd: '16' })).toMatch(/n_embd must be an integer, got "16"/);
    expect(problemOf({ ...TINY, n_layer: null })).toMatch(/n_layer must be an integer, got null/);
    expect(problemOf({ ...TINY, n_head: 0 })).toMatch(/n_head must be positive, got 0/);
    expect(problemOf({ ...TINY, vocab_size: -5 })).toMatch(/vocab_size must be positive/);
    expect(problemOf({ ...TINY, n_embd: 1e9 })).toMatch(/n_embd = 1000000000 is absurdly large/);
    expect(problemOf({ ...TINY, n_positions: 1e300 })).toMatch(
      /n_positions must be an integer|absurdly large/,
    );
    // Each field within its limit, but 256 layers of width 16384 is ~825B parameters.
    expect(problemOf({ ...TINY, n_layer: 256, n_head: 128, n_embd: 16384 })).toMatch(
      /B parameters, more than/,
    );
  });

  it('refuses n_embd not divisible by n_head', () => {
    expect(problemOf({ ...TINY, n_head: 3 })).toMatch(/n_embd \(16\) must be divisible by n_head \(3\)/);
  });

  it('refuses a bad epsilon and options that change the math', () => {
    expect(problemOf({ ...TINY, layer_norm_epsilon: 0 })).toMatch(/layer_norm_epsilon/);
    expect(problemOf({ ...TINY, layer_norm_epsilon: 'tiny' })).toMatch(/layer_norm_epsilon/);
    expect(problemOf({ ...TINY, activation_function: 'relu' })).toMatch(
      /activation_function "relu" is not supported/,
    );
    expect(problemOf({ ...TINY, n_inner: 100 })).toMatch(/n_inner = 100/);
    expect(problemOf({ ...TINY, scale_attn_weights: false })).toMatch(/scale_attn_weights/);
    expect(problemOf({ ...TINY, add_cross_attention: true })).toMatch(/cross_attention/);
    expect(
      parseGpt2Config(
        JSON.stringify({ ...TINY, n_inner: 64, activation_function: 'gelu_pytorch_tanh' }),
        FILE,
      ),
    ).toEqual(GPT2_PRESETS.tiny);
  });
});
