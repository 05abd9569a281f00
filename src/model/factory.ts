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
 * Throws a GpuLimitError when one parameter tensor (stored f32, one buffer each) exceeds what the adapter can
 * bind or allocate: said before anything is allocated, with what to do.
 */
export function checkModelFitsAdapter(config: ModelConfig, limits: AdapterLimits): void {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const [name, shape] of shapes(config)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    if (bytes > limit) {
      throw new GpuLimitError(
        `This model is too large for this GPU: ${name} needs ${(bytes / 2 ** 20).toFixed(0)} MiB in one buffer, ` +
          `and the adapter allows ${(limit / 2 ** 20).toFixed(0)} MiB. Pick a smaller model or use a GPU with larger limits.`,
      );
    }
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
  switch (config.architecture) {
    case 'gpt2':
      return new Gpt2Model(ctx, config, weights, label);
    case 'llama':
    case 'qwen2':
    case 'qwen3':
      return new LlamaModel(ctx, llamaDims(config), weights, label);
  }
}
