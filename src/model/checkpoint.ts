// A GPT-2 checkpoint in the Hugging Face layout (config.json, model.safetensors, tokenizer.json), parsed from and
// serialized to bytes. Browser-safe: no file system here (see checkpoint-node.ts and hub.ts for the sources).

import { parseGpt2Config, serializeGpt2Config, type Gpt2Config } from './config.ts';
import { gpt2ParameterShapes, mapHfWeights } from './gpt2-layout.ts';
import { WeightsError } from './errors.ts';
import { parseSafetensors, serializeSafetensors } from './safetensors.ts';
import { TextTokenizer } from './tokenizer.ts';

export const CHECKPOINT_FILES = {
  config: 'config.json',
  safetensors: 'model.safetensors',
  tokenizer: 'tokenizer.json',
} as const;

/** The three files' contents. */
export interface CheckpointFiles {
  config: string;
  safetensors: Uint8Array;
  tokenizer: string;
}

export interface Gpt2Checkpoint {
  config: Gpt2Config;
  /** Every parameter by prefix-free HF name (see gpt2ParameterShapes), Float32. */
  weights: Map<string, Float32Array>;
  tokenizer: TextTokenizer;
}

export interface SerializeOptions {
  /** Storage type of model.safetensors (default F32; F16 halves the size, rounding to nearest even). */
  dtype?: 'F32' | 'F16';
}

/**
 * Parses and cross-checks the three files: config first (so a Llama config fails with "not GPT-2" before its
 * weights are touched), then the tokenizer against vocab_size, then every tensor against the config. `source`
 * (a folder, URL or repo id) prefixes the file names in errors.
 */
export function parseCheckpoint(files: CheckpointFiles, source: string): Gpt2Checkpoint {
  const name = (file: string) => `${source.replace(/\/+$/, '')}/${file}`;
  const config = parseGpt2Config(files.config, name(CHECKPOINT_FILES.config));
  const tokenizer = TextTokenizer.fromJson(
    files.tokenizer,
    name(CHECKPOINT_FILES.tokenizer),
    config.vocabSize,
  );
  const weights = mapHfWeights(
    parseSafetensors(files.safetensors, name(CHECKPOINT_FILES.safetensors)),
    config,
  );
  return { config, weights, tokenizer };
}

/**
 * Writes a checkpoint that parseCheckpoint and Hugging Face transformers (GPT2LMHeadModel.from_pretrained) both
 * read: tensors under prefix-free names in canonical order, lm_head left tied to wte.
 */
export function serializeCheckpoint(
  checkpoint: Gpt2Checkpoint,
  options: SerializeOptions = {},
): CheckpointFiles {
  const dtype = options.dtype ?? 'F32';
  const tensors = gpt2ParameterShapes(checkpoint.config).map(({ name, shape }) => {
    const data = checkpoint.weights.get(name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (!data || data.length !== size) {
      throw new WeightsError(
        CHECKPOINT_FILES.safetensors,
        `cannot be written: tensor ${name} should hold ${size} values, got ${data?.length ?? 'none'}.`,
      );
    }
    return { name, shape, data };
  });
  return {
    config: serializeGpt2Config(checkpoint.config, { eosId: checkpoint.tokenizer.eosId, dtype }),
    safetensors: serializeSafetensors(tensors, dtype),
    tokenizer: checkpoint.tokenizer.json,
  };
}
