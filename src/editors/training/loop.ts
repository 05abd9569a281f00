// The editor training loop (Node CLI and browser alike): seeded batches, a step per batch, progress with
// edits/s and ETA, periodic validation and checkpoints through callbacks (the caller owns all I/O).

import type { TrainingEdit } from './data.ts';
import { sampleBatch } from './sampler.ts';
import type { EditorTrainer, StepResult } from './trainer.ts';
import type { EditScores, EditorValidator } from './validate.ts';

export interface LoopConfig {
  steps: number;
  batch: number;
  seed: number;
  /** Validate every this many steps (and at the end); 0 = only at the end. */
  validateEvery: number;
  checkpointEvery: number;
}

/** One point of the saved loss curve (unweighted terms; null where a term is off). */
export interface CurvePoint {
  step: number;
  loss: number;
  rel: number | null;
  gen: number | null;
  loc: number | null;
  klLatent: number;
}

export interface ValidationPoint {
  step: number;
  scores: EditScores;
}

export interface LoopProgress {
  result: StepResult;
  totalSteps: number;
  editsPerSecond: number;
  etaSeconds: number;
}

export interface LoopHooks {
  onProgress?: (p: LoopProgress) => void;
  /** Awaited, so a caller can save the editor as validated (train-editor --snapshots). */
  onValidation?: (v: ValidationPoint) => void | Promise<void>;
  /** Awaited; runs every `checkpointEvery` steps and when the loop stops early. */
  onCheckpoint?: (step: number) => Promise<void>;
  shouldStop?: () => boolean;
}

/** Runs from `trainer.step` to `config.steps`, appending to `curve` and `history` (both resumed by the caller). */
export async function runEditorTraining(
  trainer: EditorTrainer,
  validator: EditorValidator | null,
  train: TrainingEdit[],
  val: TrainingEdit[],
  config: LoopConfig,
  curve: CurvePoint[],
  history: ValidationPoint[],
  hooks: LoopHooks = {},
): Promise<void> {
  const start = performance.now();
  const firstStep = trainer.step;
  const validate = async () => {
    if (!validator || val.length === 0 || history.at(-1)?.step === trainer.step) return;
    const point = { step: trainer.step, scores: await validator.evaluate(val) };
    history.push(point);
    await hooks.onValidation?.(point);
  };
  while (trainer.step < config.steps) {
    if (hooks.shouldStop?.()) {
      await hooks.onCheckpoint?.(trainer.step);
      return;
    }
    const samples = sampleBatch(train, config.batch, config.seed, trainer.step);
    const result = await trainer.trainStep(samples);
    if (!Number.isFinite(result.loss))
      throw new Error(
        `The editor's training loss became ${result.loss} at step ${result.step}: lower --lr (or --beta) and resume from the last checkpoint.`,
      );
    const t = result.terms;
    curve.push({
      step: result.step,
      loss: result.loss,
      rel: t.rel,
      gen: t.gen,
      loc: t.loc,
      klLatent: result.klLatent,
    });
    const elapsed = (performance.now() - start) / 1000;
    const done = result.step - firstStep;
    hooks.onProgress?.({
      result,
      totalSteps: config.steps,
      editsPerSecond: (done * config.batch) / elapsed,
      etaSeconds: (elapsed / done) * (config.steps - result.step),
    });
    if (config.validateEvery > 0 && result.step % config.validateEvery === 0) await validate();
    if (result.step % config.checkpointEvery === 0 || result.step === config.steps)
      await hooks.onCheckpoint?.(result.step);
  }
  await validate();
}
