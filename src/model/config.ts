// GPT-2 hyperparameters: parsing and validating a Hugging Face config.json (GPT2Config), writing one back, and
// the presets the app and the tests use. The field names of `Gpt2Config` match the engine's `Gpt2Dims`.
// parseModelConfig (at the end) dispatches on model_type to GPT-2 or the Llama family (llama-config.ts).

import { ConfigError } from './errors.ts';
import {
  LLAMA_FAMILIES,
  llamaParameterCount,
  parseLlamaConfig,
  type LlamaConfig,
  type LlamaFamily,
} from './llama-config.ts';

export interface Gpt2Config {
  /** Transformer blocks (HF `n_layer`). */
  nLayer: number;
  /** Attention heads per block (HF `n_head`); divides nEmbd. */
  nHead: number;
  /** Residual stream width C (HF `n_embd`). */
  nEmbd: number;
  /** Context length T_max, rows of wpe (HF `n_positions`). */
  nPositions: number;
  /** Rows of wte V (HF `vocab_size`); may exceed the tokenizer's size by a few padding rows. */
  vocabSize: number;
  /** LayerNorm epsilon (HF `layer_norm_epsilon`, default 1e-5). */
  eps: number;
}

export type Gpt2PresetName = 'gpt2' | 'gpt2-medium' | 'tiny';

export const GPT2_PRESETS: Readonly<Record<Gpt2PresetName, Readonly<Gpt2Config>>> = {
  /** openai-community/gpt2, 124M parameters. */
  gpt2: { nLayer: 12, nHead: 12, nEmbd: 768, nPositions: 1024, vocabSize: 50257, eps: 1e-5 },
  /** openai-community/gpt2-medium, 355M parameters. */
  'gpt2-medium': { nLayer: 24, nHead: 16, nEmbd: 1024, nPositions: 1024, vocabSize: 50257, eps: 1e-5 },
  /** For tests: small enough for finite differences on a CPU adapter. */
  tiny: { nLayer: 2, nHead: 2, nEmbd: 16, nPositions: 32, vocabSize: 64, eps: 1e-5 },
};

/** Upper bounds far above any GPT-2 (XL: 48 layers, 25 heads, 1600 wide): past them a file is broken or hostile. */
export const CONFIG_LIMITS = {
  nLayer: 256,
  nHead: 256,
  nEmbd: 16384,
  nPositions: 131072,
  vocabSize: 1 << 20,
  /** Total parameters; GPT-2 XL has 1.56e9. A Float32 copy of 4e9 would need 16 GB. */
  parameters: 4e9,
} as const;

const DEFAULT_EPS = 1e-5;

/** Activations that are GPT-2's tanh-approximated GELU, which the engine implements. */
const TANH_GELU = new Set(['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast']);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Total parameter count of a GPT-2 with tied embeddings (matches HF `num_parameters()`). */
export function gpt2ParameterCount(c: Gpt2Config): number {
  const C = c.nEmbd;
  // Per block: ln_1, ln_2 (2C each), c_attn (C*3C + 3C), attn c_proj (C*C + C), c_fc (C*4C + 4C), mlp c_proj (4C*C + C).
  const perBlock = 4 * C + 3 * C * C + 3 * C + C * C + C + 4 * C * C + 4 * C + 4 * C * C + C;
  return c.vocabSize * C + c.nPositions * C + c.nLayer * perBlock + 2 * C;
}

/**
 * Checks hyperparameters that came from outside (a file, a URL, a form) and throws a ConfigError that names
 * `fileName` when they are not a GPT-2 the engine can run.
 */
export function validateGpt2Config(c: Gpt2Config, fileName: string): Gpt2Config {
  const fields: [keyof typeof CONFIG_LIMITS & keyof Gpt2Config, string][] = [
    ['nLayer', 'n_layer'],
    ['nHead', 'n_head'],
    ['nEmbd', 'n_embd'],
    ['nPositions', 'n_positions'],
    ['vocabSize', 'vocab_size'],
  ];
  for (const [key, hfName] of fields) {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new ConfigError(fileName, `${hfName} must be an integer, got ${JSON.stringify(v)}.`);
    }
    if (v <= 0) throw new ConfigError(fileName, `${hfName} must be positive, got ${v}.`);
    if (v > CONFIG_LIMITS[key]) {
      throw new ConfigError(
        fileName,
        `${hfName} = ${v} is absurdly large (limit ${CONFIG_LIMITS[key]}); the file is damaged or not a GPT-2 config.`,
      );
    }
  }
  if (c.nEmbd % c.nHead !== 0) {
    throw new ConfigError(
      fileName,
      `n_embd (${c.nEmbd}) must be divisible by n_head (${c.nHead}) so each head gets an equal slice.`,
    );
  }
  if (typeof c.eps !== 'number' || !Number.isFinite(c.eps) || c.eps <= 0 || c.eps >= 1) {
    throw new ConfigError(
      fileName,
      `layer_norm_epsilon must be a small positive number, got ${JSON.stringify(c.eps)}.`,
    );
  }
  const params = gpt2ParameterCount(c);
  if (params > CONFIG_LIMITS.parameters) {
    throw new ConfigError(
      fileName,
      `this config describes ${(params / 1e9).toFixed(1)}B parameters, more than the ${CONFIG_LIMITS.parameters / 1e9}B Editscope can hold.`,
    );
  }
  return c;
}

/**
 * Parses a Hugging Face GPT-2 config.json. Missing `layer_norm_epsilon` takes HF's default (1e-5); every other
 * dimension is required. Options that change the math of the forward pass (another activation, unscaled or
 * layer-scaled attention, a custom MLP width, cross-attention) are refused rather than silently ignored.
 */
export function parseGpt2Config(text: string, fileName: string): Gpt2Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(fileName, `is not valid JSON (${(e as Error).message}).`);
  }
  if (!isRecord(raw)) throw new ConfigError(fileName, 'must hold a JSON object of hyperparameters.');

  const modelType = raw.model_type;
  if (modelType !== undefined && modelType !== 'gpt2') {
    throw new ConfigError(
      fileName,
      `this is a ${String(modelType)} model, not GPT-2; Editscope runs GPT-2 checkpoints only.`,
    );
  }
  for (const key of ['n_layer', 'n_head', 'n_embd', 'n_positions', 'vocab_size']) {
    if (!(key in raw)) throw new ConfigError(fileName, `is missing the required field ${key}.`);
  }
  const act = raw.activation_function;
  if (act !== undefined && !(typeof act === 'string' && TANH_GELU.has(act))) {
    throw new ConfigError(
      fileName,
      `activation_function ${JSON.stringify(act)} is not supported; Editscope implements GPT-2's tanh GELU (gelu_new).`,
    );
  }
  if (raw.scale_attn_weights === false) {
    throw new ConfigError(
      fileName,
      'scale_attn_weights = false is not supported (attention is always scaled by 1/sqrt(head size)).',
    );
  }
  if (raw.scale_attn_by_inverse_layer_idx === true) {
    throw new ConfigError(fileName, 'scale_attn_by_inverse_layer_idx = true is not supported.');
  }
  if (raw.add_cross_attention === true) {
    throw new ConfigError(
      fileName,
      'add_cross_attention = true (an encoder-decoder GPT-2) is not supported.',
    );
  }
  const config = validateGpt2Config(
    {
      nLayer: raw.n_layer as number,
      nHead: raw.n_head as number,
      nEmbd: raw.n_embd as number,
      nPositions: raw.n_positions as number,
      vocabSize: raw.vocab_size as number,
      eps: raw.layer_norm_epsilon === undefined ? DEFAULT_EPS : (raw.layer_norm_epsilon as number),
    },
    fileName,
  );
  if (raw.n_inner !== undefined && raw.n_inner !== null && raw.n_inner !== 4 * config.nEmbd) {
    throw new ConfigError(
      fileName,
      `n_inner = ${JSON.stringify(raw.n_inner)} is not supported; the MLP must be 4 * n_embd = ${4 * config.nEmbd} wide.`,
    );
  }
  return config;
}

/**
 * Writes a config.json that Hugging Face transformers loads as GPT2LMHeadModel (and we read back). `eosId` is
 * the tokenizer's end-of-text id, written as bos/eos_token_id when given; `dtype` that of model.safetensors.
 */
export function serializeGpt2Config(
  c: Gpt2Config,
  options: { eosId?: number | null; dtype?: 'F32' | 'F16' } = {},
): string {
  const json: Record<string, unknown> = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_embd: c.nEmbd,
    n_positions: c.nPositions,
    n_ctx: c.nPositions,
    n_inner: null,
    vocab_size: c.vocabSize,
    layer_norm_epsilon: c.eps,
    activation_function: 'gelu_new',
    resid_pdrop: 0.1,
    embd_pdrop: 0.1,
    attn_pdrop: 0.1,
    initializer_range: 0.02,
    scale_attn_weights: true,
    tie_word_embeddings: true,
    torch_dtype: options.dtype === 'F16' ? 'float16' : 'float32',
  };
  if (options.eosId !== undefined && options.eosId !== null) {
    json.bos_token_id = options.eosId;
    json.eos_token_id = options.eosId;
  }
  return JSON.stringify(json, null, 2) + '\n';
}

/** A GPT-2 config tagged with its architecture, as parseModelConfig returns it. */
export type Gpt2ModelConfig = Gpt2Config & { architecture: 'gpt2' };

/** Any config the engine runs: GPT-2 or the Llama family (llama, qwen2, qwen3). */
export type ModelConfig = Gpt2ModelConfig | LlamaConfig;

/** model_type values that name a model the engine does not run, with what to say about them. */
const OTHER_FAMILIES: Record<string, string> = {
  qwen3_moe: 'Qwen3 mixture-of-experts is not supported; pick a dense Qwen3 (for example Qwen/Qwen3-0.6B).',
  qwen2_moe: 'Qwen2 mixture-of-experts is not supported; pick a dense Qwen2 or Qwen3.',
  mixtral: 'Mixtral (mixture of experts) is not supported.',
  mistral: 'Mistral uses sliding-window attention, which is not supported.',
};

/**
 * Parses any supported config.json by its model_type: 'gpt2' (or none: the GPT-2 configs this project wrote
 * before) through parseGpt2Config, unchanged; 'llama', 'qwen2', 'qwen3' through parseLlamaConfig. Anything else
 * is a ConfigError naming the model type and what Editscope runs.
 */
export function parseModelConfig(text: string, fileName: string): ModelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(fileName, `is not valid JSON (${(e as Error).message}).`);
  }
  if (!isRecord(raw)) throw new ConfigError(fileName, 'must hold a JSON object of hyperparameters.');
  const modelType = raw.model_type;
  if (modelType === undefined || modelType === 'gpt2') {
    return { architecture: 'gpt2', ...parseGpt2Config(text, fileName) };
  }
  if (typeof modelType === 'string' && (LLAMA_FAMILIES as readonly string[]).includes(modelType)) {
    return parseLlamaConfig(raw, modelType as LlamaFamily, fileName);
  }
  const known = typeof modelType === 'string' ? OTHER_FAMILIES[modelType] : undefined;
  throw new ConfigError(
    fileName,
    `model_type ${JSON.stringify(modelType)} is not supported${known ? `: ${known}` : '.'} Editscope runs gpt2, llama, qwen2 and qwen3 checkpoints.`,
  );
}

/** Total parameters of any supported config. */
export function modelParameterCount(c: ModelConfig): number {
  return c.architecture === 'gpt2' ? gpt2ParameterCount(c) : llamaParameterCount(c);
}
