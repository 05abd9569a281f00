// From a parsed checkpoint (config + weights + tokenizer, src/model/checkpoint.ts) to the model of the right
// architecture behind LanguageModel: GPT-2 (src/model/gpt2) or the Llama family (src/model/llama). The one
// place that names the implementations; adding an architecture is a new folder plus a case here.
// Everything is checked before the first GPU allocation, so a model that cannot run leaves the device as it was.

import type { GpuContext } from '../gpu/context.ts';
import { GpuLimitError } from '../gpu/errors.ts';
import type { ModelCheckpoint } from './checkpoint.ts';
import { modelParameterCount, type ModelConfig } from './config.ts';
import { parameterShapes as gpt2ParameterShapes } from './gpt2/dims.ts';
import { Gpt2Model } from './gpt2/model.ts';
import type { Architecture, LanguageModel } from './language-model.ts';
import { llamaDims, parameterShapes as llamaParameterShapes } from './llama/dims.ts';
import { LlamaModel } from './llama/model.ts';
import { dtypeFormat, embeddingFormat, type WeightDtype } from './quant/apply.ts';
import {
  planBytes,
  uploadStreamed,
  type LoadProgress,
  type SourceTensor,
  type TensorPlanEntry,
} from './quant/load.ts';
import { destroyTensor, tensorBytes, type GpuTensor } from './quant/tensors.ts';
import { gpt2LinearSpecs } from './gpt2/dims.ts';
import { EMBED, LM_HEAD, llamaLinearSpecs } from './llama/dims.ts';

/** What the app's model picker and the CLI show about a checkpoint (no GPU objects). */
export interface ModelSummary {
  architecture: Architecture;
  parameterCount: number;
  /** How the weights were stored in the files: 'F32', 'F16', 'BF16' or 'mixed'. */
  dtype: string;
  /** Bytes the parameters take on the GPU (f32 today, whatever the file's dtype). */
  gpuWeightBytes: number;
}

function shapes(config: ModelConfig): [string, number[]][] {
  return config.architecture === 'gpt2'
    ? gpt2ParameterShapes(config)
    : llamaParameterShapes(llamaDims(config));
}

export function summarizeCheckpoint(checkpoint: ModelCheckpoint): ModelSummary {
  const parameterCount = modelParameterCount(checkpoint.config);
  return {
    architecture: checkpoint.config.architecture,
    parameterCount,
    dtype: checkpoint.dtype,
    gpuWeightBytes: shapes(checkpoint.config).reduce(
      (s, [, shape]) => s + 4 * shape.reduce((a, b) => a * b, 1),
      0,
    ),
  };
}

/** The adapter limits a model's parameters must fit. */
export interface AdapterLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/**
 * Which format every parameter is stored in for `dtype`: the linears in the dtype's format, the token
 * embedding and the LM head (tied or not) in embeddingFormat, norms, biases and GPT-2's position embedding f32.
 */
export function weightPlan(config: ModelConfig, dtype: WeightDtype = 'f32'): TensorPlanEntry[] {
  const linear = dtypeFormat(dtype);
  const embedding = embeddingFormat(dtype);
  const linears = new Set(
    (config.architecture === 'gpt2' ? gpt2LinearSpecs(config) : llamaLinearSpecs(llamaDims(config))).map(
      (s) => s.param,
    ),
  );
  const embeddings = new Set(config.architecture === 'gpt2' ? ['wte.weight'] : [EMBED, LM_HEAD]);
  return shapes(config).map(([name, shape]) => ({
    name,
    shape,
    format: linears.has(name) ? linear : embeddings.has(name) ? embedding : 'f32',
  }));
}

/**
 * Throws a GpuLimitError when one parameter tensor (one buffer each, in the format `dtype` stores it in) exceeds
 * what the adapter can bind or allocate: said before anything is allocated, with what to do.
 */
export function checkModelFitsAdapter(
  config: ModelConfig,
  limits: AdapterLimits,
  dtype: WeightDtype = 'f32',
): void {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const t of weightPlan(config, dtype)) {
    const bytes = tensorBytes(t.format, t.shape);
    if (bytes > limit) {
      throw new GpuLimitError(
        `This model is too large for this GPU in ${dtype}: ${t.name} needs ${(bytes / 2 ** 20).toFixed(0)} MiB in one buffer, ` +
          `and the adapter allows ${(limit / 2 ** 20).toFixed(0)} MiB. Pick a smaller dtype or model, or use a GPU with larger limits.`,
      );
    }
  }
}

function construct(
  ctx: GpuContext,
  config: ModelConfig,
  weights: Map<string, Float32Array | GpuTensor>,
  label: string,
): LanguageModel {
  switch (config.architecture) {
    case 'gpt2':
      return new Gpt2Model(ctx, config, weights, label);
    case 'llama':
    case 'qwen2':
    case 'qwen3':
      return new LlamaModel(ctx, llamaDims(config), weights, label);
  }
}

/** The model of the checkpoint's architecture on `ctx`, its weights uploaded; `label` prefixes GPU buffer labels. */
export function createLanguageModel(
  ctx: GpuContext,
  checkpoint: Pick<ModelCheckpoint, 'config' | 'weights'>,
  label: string,
): LanguageModel {
  const { config, weights } = checkpoint;
  checkModelFitsAdapter(config, ctx.device.limits);
  return construct(ctx, config, weights, label);
}

export interface LoadModelOptions {
  /** Storage of the linears (and, through embeddingFormat, the embedding); default f32. */
  dtype?: WeightDtype;
  label?: string;
  /** Names the source in errors (a file or folder). */
  fileName?: string;
  onProgress?: (p: LoadProgress) => void;
}

/**
 * A model loaded tensor by tensor from `source` into its dtype's formats (src/model/quant/load.ts): peak CPU
 * memory near one tensor, and only the packed buffers on the GPU. The per-buffer limits are checked first; on any
 * error nothing stays allocated.
 */
export async function loadLanguageModel(
  ctx: GpuContext,
  config: ModelConfig,
  source: AsyncIterable<SourceTensor> | Iterable<SourceTensor>,
  opts: LoadModelOptions = {},
): Promise<{ model: LanguageModel; gpuWeightBytes: number; ms: number }> {
  const dtype = opts.dtype ?? 'f32';
  const label = opts.label ?? 'model';
  const start = performance.now();
  checkModelFitsAdapter(config, ctx.device.limits, dtype);
  const plan = weightPlan(config, dtype);
  const tensors = await uploadStreamed(ctx, label, plan, source, opts.fileName ?? label, opts.onProgress);
  try {
    return {
      model: construct(ctx, config, tensors, label),
      gpuWeightBytes: planBytes(plan),
      ms: performance.now() - start,
    };
  } catch (e) {
    for (const t of tensors.values()) destroyTensor(t);
    throw e;
  }
}
