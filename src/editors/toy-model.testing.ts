// For the editors' GPU tests: a toy "fact world" model trained in a few seconds on a handful of facts with the
// engine's own trainer, so edits are tested on a model that actually knows something (not random weights).
// Two architectures behind the one model interface: a GPT-2 and a Qwen3 (RMSNorm, RoPE, grouped-query
// attention with 2 query heads sharing 1 key/value head, q/k norms, SwiGLU), both 2 blocks of width 32 with an
// MLP of 128 (so the down projection is 128 → 32 in both). Editor tests run over TOY_ARCHITECTURES.

import type { GpuContext } from '../gpu/context.ts';
import type { Gpt2Dims } from '../model/gpt2/dims.ts';
import { randomGpt2Init } from '../model/gpt2/init.ts';
import { Gpt2Model } from '../model/gpt2/model.ts';
import type { LanguageModel, LinearRole, ParameterGradients } from '../model/language-model.ts';
import type { LlamaDims } from '../model/llama/dims.ts';
import { randomLlamaInit } from '../model/llama/init.ts';
import { LlamaModel } from '../model/llama/model.ts';
import { randomGpt2Weights, tinyTokenizerJson } from '../model/testing.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { loadTrainedToy, saveTrainedToy } from './toy-cache.testing.ts';
import type { EditTarget } from './types.ts';

export const TOY_DIMS: Gpt2Dims = {
  nLayer: 2,
  nHead: 2,
  nEmbd: 32,
  nPositions: 32,
  vocabSize: 64,
  eps: 1e-5,
};

export const TOY_QWEN3_DIMS: LlamaDims = {
  architecture: 'qwen3',
  nLayer: 2,
  nEmbd: 32,
  nPositions: 32,
  vocabSize: 64,
  nHead: 2,
  nKvHead: 1,
  headDim: 16,
  nInner: 128,
  eps: 1e-6,
  ropeTheta: 10000,
  tiedEmbeddings: true,
  attentionBias: 'none',
  qkNorm: true,
};

export type ToyArchitecture = 'gpt2' | 'qwen3';
export const TOY_ARCHITECTURES: readonly ToyArchitecture[] = ['gpt2', 'qwen3'];

const TINY_GPT2: Gpt2Dims = { nLayer: 2, nHead: 2, nEmbd: 16, nPositions: 32, vocabSize: 64, eps: 1e-5 };
const TINY_QWEN3: LlamaDims = { ...TOY_QWEN3_DIMS, nEmbd: 16, headDim: 8, nInner: 64 };

/**
 * A random 16-wide model of either architecture with a tokenizer (no training: for tests that check an editor's
 * arithmetic, not its success). Weights are larger than an initialisation so gradients are not tiny.
 */
export function tinyRandomTarget(
  ctx: GpuContext,
  arch: ToyArchitecture,
  seed = 5,
  weights?: Map<string, Float32Array>,
): EditTarget {
  const tokenizer = TextTokenizer.fromJson(tinyTokenizerJson(64), 'tiny tokenizer.json', 64);
  const model =
    arch === 'gpt2'
      ? new Gpt2Model(ctx, TINY_GPT2, weights ?? randomGpt2Weights(TINY_GPT2, seed), 'tiny-gpt2')
      : new LlamaModel(ctx, TINY_QWEN3, weights ?? randomLlamaInit(TINY_QWEN3, seed, 0.1), 'tiny-qwen3');
  return { model, tokenizer };
}

/** An untrained toy of either architecture (seeded), or the toy with the given weights. */
export function toyModel(
  ctx: GpuContext,
  arch: ToyArchitecture,
  seed = 7,
  weights?: Map<string, Float32Array>,
): LanguageModel {
  return arch === 'gpt2'
    ? new Gpt2Model(ctx, TOY_DIMS, weights ?? randomGpt2Init(TOY_DIMS, seed), 'toy')
    : new LlamaModel(ctx, TOY_QWEN3_DIMS, weights ?? randomLlamaInit(TOY_QWEN3_DIMS, seed), 'toy-qwen3');
}

/**
 * [prompt, subject, answer]. Answers are one token each (Ġ+letter) so the toy learns them fast; each subject
 * ends in a letter used nowhere else (b, x, z, y), so the subject's last token is a distinctive ROME key.
 */
export const TOY_FACTS: [string, string, string][] = [
  ['bob lives in', 'bob', ' r'],
  ['max lives in', 'max', ' o'],
  ['guz lives in', 'guz', ' l'],
  ['joy lives in', 'joy', ' k'],
  ['bob likes', 'bob', ' t'],
  ['max likes', 'max', ' m'],
  ['guz likes', 'guz', ' j'],
  ['joy likes', 'joy', ' w'],
];

/** Trains the toy (fixed seed, full batch, AdamW) until every fact's answer is the argmax; ~150 steps. */
export async function trainToyModel(
  ctx: GpuContext,
  archOrSteps: ToyArchitecture | number = 'gpt2',
  trainSteps = 150,
): Promise<EditTarget> {
  // trainToyModel(ctx, steps) is the GPT-2 toy (the signature before the architectures).
  const arch = typeof archOrSteps === 'number' ? 'gpt2' : archOrSteps;
  const steps = typeof archOrSteps === 'number' ? archOrSteps : trainSteps;
  const tokenizer = TextTokenizer.fromJson(tinyTokenizerJson(TOY_DIMS.vocabSize), 'toy', TOY_DIMS.vocabSize);
  const cached = loadTrainedToy(arch, steps);
  if (cached) return { model: toyModel(ctx, arch, 7, cached), tokenizer };
  const model = toyModel(ctx, arch);
  const trainer = model.createTrainer();
  const prompts = TOY_FACTS.map(([p]) => tokenizer.encode(p));
  // Each fact ends with <|endoftext|>, as `editscope train-model` writes them (ROME samples its contexts after it).
  const eos = tokenizer.eosId!;
  const seqs = TOY_FACTS.map(([, , a], i) => [...prompts[i], ...tokenizer.encode(a), eos]);
  const lengths = prompts.map((p) => p.length);
  for (let s = 0; s < steps; s++)
    await trainer.trainStep(seqs, { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 }, lengths);
  trainer.destroy();
  saveTrainedToy(arch, steps, await model.exportWeights());
  return { model, tokenizer };
}

/** The greedy next token of each prompt. */
export async function argmaxNext({ model, tokenizer }: EditTarget, prompts: string[]): Promise<number[]> {
  const top = await model.topNext(
    prompts.map((p) => tokenizer.encode(p)),
    1,
  );
  return top.map((t) => t[0].id);
}

/** A linear's weight gradient in logical (nIn, nOut) layout, whatever the storage order. */
export async function logicalGradient(
  model: LanguageModel,
  grads: ParameterGradients,
  block: number,
  role: LinearRole,
): Promise<Float32Array> {
  const { param, nIn, nOut, order } = model.linear(block, role);
  const stored = await model.ctx.read(grads.get(param), 0, nIn * nOut * 4);
  if (order === 'in_out') return stored;
  const out = new Float32Array(nIn * nOut);
  for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) out[i * nOut + j] = stored[j * nIn + i];
  return out;
}
