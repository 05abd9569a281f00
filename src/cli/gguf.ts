// CLI support for reduced-precision weights: `--model FILE.gguf` (any command that loads a model) and a global
// `--dtype f32|f16|int8|int4` that loads the model straight into that format (src/model/factory.ts
// loadLanguageModel: linears in the dtype, the embedding/head f16 or q8_0; only the packed buffers on the GPU).

import { dirname, resolve } from 'node:path';
import type { GpuContext } from '../gpu/context.ts';
import type { ModelCheckpoint } from '../model/checkpoint.ts';
import { openGgufCheckpoint } from '../model/gguf/checkpoint.ts';
import { loadGgufModel } from '../model/gguf/model.ts';
import { fileSource } from '../model/gguf/node.ts';
import { Gpt2Model } from '../model/gpt2/model.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { parseWeightDtype, type WeightDtype } from '../model/quant/apply.ts';
import { mapSource } from '../model/quant/load.ts';
import { UsageError } from './args.ts';
import { createLanguageModel, loadLanguageModel } from '../model/factory.ts';
import type { LoadedLanguageModel, LoadedModel } from './engine.ts';

let requested: WeightDtype = 'f32';

/** Removes `--dtype X` from argv (it applies to every command that loads a model) and remembers it. */
export function takeDtypeOption(argv: string[]): string[] {
  const i = argv.indexOf('--dtype');
  if (i < 0) return argv;
  const value = argv[i + 1];
  try {
    requested = parseWeightDtype(value ?? '');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return [...argv.slice(0, i), ...argv.slice(i + 2)];
}

export function isGgufPath(path: string): boolean {
  return /\.gguf$/i.test(path);
}

/** The --dtype given (f32 when none). */
export function requestedDtype(): WeightDtype {
  return requested;
}

const progress = (what: string) => (p: { done: number; total: number }) => {
  if (p.done === p.total || p.done % 16 === 0)
    process.stderr.write(`\reditscope: ${what}: tensor ${p.done}/${p.total}`);
  if (p.done === p.total) process.stderr.write('\n');
};

/**
 * The checkpoint's model in the requested --dtype: f32 as loaded; otherwise streamed into packed buffers
 * (src/model/factory.ts loadLanguageModel), so only the packed weights are on the GPU.
 */
export async function createRequestedModel(
  ctx: GpuContext,
  checkpoint: Pick<ModelCheckpoint, 'config' | 'weights'>,
  fileName: string,
): Promise<LanguageModel> {
  if (requested === 'f32') return createLanguageModel(ctx, checkpoint, 'model');
  const r = await loadLanguageModel(ctx, checkpoint.config, mapSource(checkpoint.weights), {
    dtype: requested,
    label: 'model',
    fileName,
  });
  report(r);
  return r.model;
}

function report(r: { gpuWeightBytes: number; ms: number }): void {
  process.stderr.write(
    `editscope: weights as ${requested}: ${(r.gpuWeightBytes / 2 ** 20).toFixed(1)} MiB on the GPU (${r.ms.toFixed(0)} ms)\n`,
  );
}

/** A GGUF file streamed tensor by tensor into the requested dtype's formats (src/model/gguf/model.ts). */
async function loadGgufFileModel(path: string, ctx: GpuContext) {
  const src = await fileSource(path);
  try {
    const open = await openGgufCheckpoint(src, path);
    const r = await loadGgufModel(ctx, open, {
      dtype: requested,
      fileName: path,
      onProgress: progress(path),
    });
    if (requested !== 'f32') report(r);
    return { checkpoint: r.checkpoint, model: r.model };
  } finally {
    await src.close();
  }
}

/** A .gguf file of any supported architecture (predict and other LanguageModel commands). */
export async function loadGgufLanguageModel(path: string, ctx: GpuContext): Promise<LoadedLanguageModel> {
  const { checkpoint, model } = await loadGgufFileModel(path, ctx);
  return { dir: dirname(resolve(path)), checkpoint, model, tokenizer: checkpoint.tokenizer };
}

/** A .gguf file as the CLI's GPT-2 LoadedModel (edit, eval and the other GPT-2-typed commands). */
export async function loadGgufFile(path: string, ctx: GpuContext): Promise<LoadedModel> {
  const src = await fileSource(path);
  let architecture: string;
  try {
    architecture = (await openGgufCheckpoint(src, path)).config.architecture;
  } finally {
    await src.close();
  }
  if (architecture !== 'gpt2') {
    throw new UsageError(
      `${path} is a ${architecture} model; this command runs GPT-2 models only for now (predict runs every architecture).`,
    );
  }
  const { checkpoint, model } = await loadGgufFileModel(path, ctx);
  if (!(model instanceof Gpt2Model) || checkpoint.config.architecture !== 'gpt2')
    throw new Error('unreachable: not GPT-2');
  return { dir: dirname(resolve(path)), config: checkpoint.config, model, tokenizer: checkpoint.tokenizer };
}
