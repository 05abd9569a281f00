// For the editors' GPU tests: a toy "fact world" GPT-2 trained in a few seconds on a handful of facts with the
// engine's own trainer, so edits are tested on a model that actually knows something (not random weights).

import type { GpuContext } from '../gpu/context.ts';
import type { Gpt2Dims } from '../model/gpt2/dims.ts';
import { randomGpt2Init } from '../model/gpt2/init.ts';
import { Gpt2Model } from '../model/gpt2/model.ts';
import { Gpt2Trainer } from '../model/gpt2/training.ts';
import { tinyTokenizerJson } from '../model/testing.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import type { EditTarget } from './types.ts';

export const TOY_DIMS: Gpt2Dims = {
  nLayer: 2,
  nHead: 2,
  nEmbd: 32,
  nPositions: 32,
  vocabSize: 64,
  eps: 1e-5,
};

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
export async function trainToyModel(ctx: GpuContext, steps = 150): Promise<EditTarget> {
  const tokenizer = TextTokenizer.fromJson(tinyTokenizerJson(TOY_DIMS.vocabSize), 'toy', TOY_DIMS.vocabSize);
  const model = new Gpt2Model(ctx, TOY_DIMS, randomGpt2Init(TOY_DIMS, 7), 'toy');
  const trainer = new Gpt2Trainer(model);
  const prompts = TOY_FACTS.map(([p]) => tokenizer.encode(p));
  // Each fact ends with <|endoftext|>, as `editscope train-model` writes them (ROME samples its contexts after it).
  const eos = tokenizer.eosId!;
  const seqs = TOY_FACTS.map(([, , a], i) => [...prompts[i], ...tokenizer.encode(a), eos]);
  const lengths = prompts.map((p) => p.length);
  for (let s = 0; s < steps; s++)
    await trainer.trainStep(seqs, { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 }, lengths);
  trainer.destroy();
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
