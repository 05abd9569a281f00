// A checkpoint in the Hugging Face layout (config.json, model.safetensors or model.safetensors.index.json + its
// shards, tokenizer.json), parsed from and serialized to bytes: GPT-2 (parseCheckpoint, as before) or any
// architecture the engine runs (parseModelCheckpoint). Browser-safe: no file system here (see
// checkpoint-node.ts and hub.ts for the sources).

import {
  parseShardIndex,
  serializeShards,
  shardedTable,
  SHARD_INDEX_FILE,
  type ShardedFiles,
} from './checkpoint-shards.ts';
import {
  parseGpt2Config,
  parseModelConfig,
  serializeGpt2Config,
  type Gpt2Config,
  type ModelConfig,
} from './config.ts';
import { gpt2ParameterShapes, mapHfWeights } from './gpt2-layout.ts';
import { WeightsError } from './errors.ts';
import { serializeLlamaConfig } from './llama-config.ts';
import { llamaParameterShapes, mapLlamaWeights } from './llama-layout.ts';
import { parseSafetensors, serializeSafetensors } from './safetensors.ts';
import { singleFileTable, tableDtype, type TensorTable } from './tensor-table.ts';
import { TextTokenizer } from './tokenizer.ts';

export const CHECKPOINT_FILES = {
  config: 'config.json',
  safetensors: 'model.safetensors',
  tokenizer: 'tokenizer.json',
} as const;

/** The files' contents: config, tokenizer, and the weights as one model.safetensors or as shards. */
export interface CheckpointFiles {
  config: string;
  /** model.safetensors of a single-file checkpoint (absent when `shards` is given). */
  safetensors?: Uint8Array;
  /** A sharded checkpoint: the text of model.safetensors.index.json and every shard's bytes by file name. */
  shards?: ShardedFiles;
  tokenizer: string;
}

/** What serializeCheckpoint writes: always one model.safetensors. */
export type SingleFileCheckpoint = CheckpointFiles & { safetensors: Uint8Array };

/** A checkpoint of any architecture the engine runs. */
export interface ModelCheckpoint {
  config: ModelConfig;
  /** Every parameter as Float32 under the family's names (GPT-2: prefix-free; Llama family: full HF names). */
  weights: Map<string, Float32Array>;
  tokenizer: TextTokenizer;
  /** The stored dtype of the weights: 'F32', 'F16', 'BF16' or 'mixed' (for display). */
  dtype: string;
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
  const name = fileNamer(source);
  const config = parseGpt2Config(files.config, name(CHECKPOINT_FILES.config));
  const tokenizer = TextTokenizer.fromJson(
    files.tokenizer,
    name(CHECKPOINT_FILES.tokenizer),
    config.vocabSize,
  );
  const weights = mapHfWeights(weightTable(files, name), config);
  return { config, weights, tokenizer };
}

function fileNamer(source: string): (file: string) => string {
  return (file: string) => `${source.replace(/\/+$/, '')}/${file}`;
}

/** The tensors of model.safetensors, or of every shard the index names. */
function weightTable(files: CheckpointFiles, name: (file: string) => string): TensorTable {
  if (files.shards) {
    const index = parseShardIndex(files.shards.index, name(SHARD_INDEX_FILE));
    return shardedTable(index, files.shards.shards, name);
  }
  if (!files.safetensors) {
    throw new WeightsError(
      name(CHECKPOINT_FILES.safetensors),
      `is missing: a checkpoint needs model.safetensors or ${SHARD_INDEX_FILE} with its shards.`,
    );
  }
  return singleFileTable(parseSafetensors(files.safetensors, name(CHECKPOINT_FILES.safetensors)));
}

/**
 * Parses and cross-checks a checkpoint of any supported architecture: config first (an unsupported model_type,
 * MoE or sliding-window config fails before anything large is read), then the tokenizer against vocab_size,
 * then every tensor against the config. Errors name the file (prefixed by `source`) and what to do.
 */
export function parseModelCheckpoint(files: CheckpointFiles, source: string): ModelCheckpoint {
  const name = fileNamer(source);
  const config = parseModelConfig(files.config, name(CHECKPOINT_FILES.config));
  const tokenizer = TextTokenizer.fromJson(
    files.tokenizer,
    name(CHECKPOINT_FILES.tokenizer),
    config.vocabSize,
  );
  const table = weightTable(files, name);
  const weights =
    config.architecture === 'gpt2' ? mapHfWeights(table, config) : mapLlamaWeights(table, config);
  return { config, weights, tokenizer, dtype: tableDtype(table) };
}

/**
 * Writes a checkpoint that parseCheckpoint and Hugging Face transformers (GPT2LMHeadModel.from_pretrained) both
 * read: tensors under prefix-free names in canonical order, lm_head left tied to wte.
 */
export function serializeCheckpoint(
  checkpoint: Gpt2Checkpoint,
  options: SerializeOptions = {},
): SingleFileCheckpoint {
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

export interface ModelSerializeOptions extends SerializeOptions {
  /** Write shards of about this many bytes with a model.safetensors.index.json (default: one file). */
  maxShardBytes?: number;
}

/**
 * Writes a checkpoint of any supported architecture that parseModelCheckpoint and HF transformers read: GPT-2
 * as serializeCheckpoint does; the Llama family under HF names, lm_head omitted when tied.
 */
export function serializeModelCheckpoint(
  checkpoint: ModelCheckpoint,
  options: ModelSerializeOptions = {},
): CheckpointFiles {
  const dtype = options.dtype ?? 'F32';
  const { config } = checkpoint;
  const shapes = config.architecture === 'gpt2' ? gpt2ParameterShapes(config) : llamaParameterShapes(config);
  const tensors = shapes.map(({ name, shape }) => {
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
  const configText =
    config.architecture === 'gpt2'
      ? serializeGpt2Config(config, { eosId: checkpoint.tokenizer.eosId, dtype })
      : serializeLlamaConfig(config, { dtype });
  const files: CheckpointFiles = { config: configText, tokenizer: checkpoint.tokenizer.json };
  if (options.maxShardBytes !== undefined)
    files.shards = serializeShards(tensors, dtype, options.maxShardBytes);
  else files.safetensors = serializeSafetensors(tensors, dtype);
  return files;
}

/** Bytes of the weight files (model.safetensors, or the index and every shard), for display. */
export function checkpointWeightBytes(files: CheckpointFiles): number {
  if (files.safetensors) return files.safetensors.byteLength;
  let total = 0;
  for (const bytes of files.shards?.shards.values() ?? []) total += bytes.byteLength;
  return total;
}
