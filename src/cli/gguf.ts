// CLI support for reduced-precision weights: `--model FILE.gguf` (any command that loads a model) and a global
// `--dtype f32|f16|int8|int4` that re-packs the model's linear layers after loading (src/model/quant/apply.ts).

import { dirname, resolve } from 'node:path';
import type { GpuContext } from '../gpu/context.ts';
import { readGgufCheckpoint } from '../model/gguf/checkpoint.ts';
import { fileSource } from '../model/gguf/node.ts';
import { Gpt2Model } from '../model/gpt2/model.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { parseWeightDtype, quantizeModelLinears, type WeightDtype } from '../model/quant/apply.ts';
import { UsageError } from './args.ts';
import { createLanguageModel } from '../model/factory.ts';
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

/** Applies the requested --dtype to a loaded model's linears (a no-op for f32). */
export async function applyRequestedDtype(model: LanguageModel): Promise<void> {
  if (requested === 'f32') return;
  const r = await quantizeModelLinears(model, requested);
  process.stderr.write(
    `editscope: ${r.linears} linear layers as ${requested}: ${(r.packedBytes / 2 ** 20).toFixed(1)} MiB instead of ${(r.f32Bytes / 2 ** 20).toFixed(1)} MiB (${r.ms.toFixed(0)} ms)\n`,
  );
}

async function readGgufFile(path: string) {
  const src = await fileSource(path);
  try {
    return await readGgufCheckpoint(src, path, {
      onProgress: (p) => {
        if (p.done === p.total || p.done % 16 === 0)
          process.stderr.write(`\reditscope: ${path}: tensor ${p.done}/${p.total}`);
        if (p.done === p.total) process.stderr.write('\n');
      },
    });
  } finally {
    await src.close();
  }
}

/** A .gguf file of any supported architecture (predict and other LanguageModel commands). */
export async function loadGgufLanguageModel(path: string, ctx: GpuContext): Promise<LoadedLanguageModel> {
  const checkpoint = await readGgufFile(path);
  const model = createLanguageModel(ctx, checkpoint, 'model');
  await applyRequestedDtype(model);
  return { dir: dirname(resolve(path)), checkpoint, model, tokenizer: checkpoint.tokenizer };
}

/** A .gguf file as the CLI's GPT-2 LoadedModel (edit, eval and the other GPT-2-typed commands). */
export async function loadGgufFile(path: string, ctx: GpuContext): Promise<LoadedModel> {
  const ckpt = await readGgufFile(path);
  if (ckpt.config.architecture !== 'gpt2') {
    throw new UsageError(
      `${path} is a ${ckpt.config.architecture} model; this command runs GPT-2 models only for now (predict runs every architecture).`,
    );
  }
  const model = new Gpt2Model(ctx, ckpt.config, ckpt.weights, 'model');
  await applyRequestedDtype(model);
  return { dir: dirname(resolve(path)), config: ckpt.config, model, tokenizer: ckpt.tokenizer };
}
