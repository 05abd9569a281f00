// The language-model training loop, platform-free: the CLI (Node) and a browser page drive the same code and
// supply storage through callbacks. Progress reports tokens/s, loss and ETA; checkpoints make it resumable.

import { DEFAULT_ADAMW, Gpt2Trainer, type AdamWConfig } from '../model/gpt2/training.ts';
import { batchIndices, learningRate } from './schedule.ts';

export interface LmTrainingConfig {
  steps: number;
  batch: number;
  lr: number;
  warmup: number;
  seed: number;
  weightDecay: number;
  checkpointEvery: number;
  /** Evaluate the full-corpus loss on this many sequences every `checkpointEvery` steps (0 = never). */
  evalSequences: number;
}

/** A training sequence; with `promptLength`, only the tokens after the prompt are scored. */
export interface TrainingSequence {
  ids: number[];
  promptLength?: number;
}

export interface LossPoint {
  step: number;
  loss: number;
  lr: number;
  tokensPerSecond: number;
}

export interface TrainingProgress extends LossPoint {
  totalSteps: number;
  etaSeconds: number;
}

export interface TrainingHooks {
  onProgress?: (p: TrainingProgress) => void;
  /** Persist weights, optimizer state and the loss curve; called every checkpointEvery steps and at the end. */
  onCheckpoint?: (state: { step: number; trainer: Gpt2Trainer; curve: LossPoint[] }) => Promise<void>;
  shouldStop?: () => boolean;
}

export function validateTrainingConfig(c: LmTrainingConfig, corpusSize: number): void {
  const bad = (msg: string) => {
    throw new Error(`Invalid training options: ${msg}`);
  };
  if (!(c.steps >= 1)) bad('--steps must be at least 1.');
  if (!(c.batch >= 1)) bad('--batch must be at least 1.');
  if (c.batch > corpusSize) bad(`--batch ${c.batch} is larger than the corpus (${corpusSize} sequences).`);
  if (!(c.lr > 0 && c.lr < 1)) bad('--lr must be in (0, 1).');
  if (!(c.warmup >= 0 && c.warmup < c.steps)) bad('--warmup must be smaller than --steps.');
  if (!(c.checkpointEvery >= 1)) bad('--checkpoint-every must be at least 1.');
}

/** Trains from `trainer.step` to `config.steps`. Returns the loss curve (the resumed part appended). */
export async function trainLanguageModel(
  trainer: Gpt2Trainer,
  corpus: TrainingSequence[],
  config: LmTrainingConfig,
  curve: LossPoint[],
  hooks: TrainingHooks = {},
): Promise<LossPoint[]> {
  validateTrainingConfig(config, corpus.length);
  const adam: AdamWConfig = { ...DEFAULT_ADAMW, weightDecay: config.weightDecay };
  const started = performance.now();
  const firstStep = trainer.step;
  let tokens = 0;
  while (trainer.step < config.steps) {
    if (hooks.shouldStop?.()) break;
    const step = trainer.step;
    const seqs = batchIndices(corpus.length, config.batch, config.seed, step).map((i) => corpus[i]);
    const lr = learningRate(step, config.lr, config.warmup, config.steps);
    const completions = seqs.every((s) => s.promptLength !== undefined);
    const ids = seqs.map((s) => s.ids);
    const loss = await trainer.trainStep(
      ids,
      { ...adam, lr },
      completions ? seqs.map((s) => s.promptLength!) : undefined,
    );
    if (!Number.isFinite(loss))
      throw new Error(
        `The loss became ${loss} at step ${step}: lower --lr and resume from the last checkpoint.`,
      );
    tokens += ids.reduce((s, q) => s + q.length, 0);
    const seconds = (performance.now() - started) / 1000;
    const tokensPerSecond = tokens / seconds;
    const point = { step: trainer.step, loss, lr, tokensPerSecond };
    curve.push(point);
    const done = trainer.step - firstStep;
    hooks.onProgress?.({
      ...point,
      totalSteps: config.steps,
      etaSeconds: ((config.steps - trainer.step) * seconds) / done,
    });
    if (trainer.step % config.checkpointEvery === 0 || trainer.step === config.steps) {
      await hooks.onCheckpoint?.({ step: trainer.step, trainer, curve });
    }
  }
  return curve;
}
