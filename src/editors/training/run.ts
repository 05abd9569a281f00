// One editor training run, platform-free: the SAME code trains in Node (`editscope train-editor`) and in the
// browser worker (src/worker/training.ts). It builds the hypernetwork for the model in hand (any architecture
// behind LanguageModel), warms every buffer up, runs the seeded loop, and turns its state into bytes: a
// checkpoint (editor tensors + AdamW moments as safetensors, and a JSON state with the step, settings, loss
// curve and validation history) that resumes bit-for-bit, and the editor files (config.json +
// editor.safetensors, src/editors/hyper/files.ts) that install it as the model's editor. The caller owns I/O
// (files in Node, OPFS in the browser).

import type { LanguageModel } from '../../model/language-model.ts';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from '../../model/safetensors.ts';
import { serializeEditorFiles } from '../hyper/files.ts';
import { modelFingerprint } from '../hyper/fingerprint.ts';
import { createHypernet } from '../hyper/index.ts';
import type { Hypernet } from '../hyper/types.ts';
import type { TrainingEdit } from './data.ts';
import { runEditorTraining, type CurvePoint, type LoopHooks, type ValidationPoint } from './loop.ts';
import { longestSamples, maxSequenceLength } from './sampler.ts';
import { settingsDiff, type EditorTrainingSettings } from './settings.ts';
import { EditorTrainer } from './trainer.ts';
import { EditorValidator } from './validate.ts';

/** A checkpoint that cannot be resumed (damaged, another configuration, another model): the sentence says why. */
export class TrainingCheckpointError extends Error {
  override name = 'TrainingCheckpointError';
}

/** What a checkpoint's JSON half holds. */
export interface TrainingState {
  format: 'editscope-editor-training';
  step: number;
  settings: EditorTrainingSettings;
  history: ValidationPoint[];
  curve: CurvePoint[];
  /** The model's weights fingerprint: a checkpoint of another model is refused. */
  fingerprint: string;
}

export interface TrainingCheckpoint {
  /** Editor parameters, normalisation statistics and `adam.{m,v}.{param}` (safetensors). */
  tensors: Uint8Array;
  /** TrainingState as JSON. */
  state: string;
}

export interface RunSchedule {
  validateEvery: number;
  checkpointEvery: number;
}

export class EditorTrainingRun {
  readonly curve: CurvePoint[];
  readonly history: ValidationPoint[];

  private constructor(
    readonly model: LanguageModel,
    readonly settings: EditorTrainingSettings,
    readonly net: Hypernet,
    readonly trainer: EditorTrainer,
    readonly validator: EditorValidator | null,
    private readonly fingerprint: string,
    resumed: TrainingState | null,
  ) {
    this.curve = resumed ? resumed.curve.filter((p) => p.step <= resumed.step) : [];
    this.history = resumed ? resumed.history.filter((p) => p.step <= resumed.step) : [];
  }

  /**
   * Builds the editor (fresh, or from `checkpoint`, which must match `settings` and the model) and runs one
   * warm-up pass on the longest batch, so nothing is allocated per step afterwards.
   */
  static async create(
    model: LanguageModel,
    settings: EditorTrainingSettings,
    train: TrainingEdit[],
    val: TrainingEdit[],
    checkpoint?: TrainingCheckpoint,
  ): Promise<EditorTrainingRun> {
    if (train.length === 0)
      throw new RangeError('No training edits: the dataset is empty after tokenization.');
    const fingerprint = await modelFingerprint(model);
    const resumed = checkpoint ? readCheckpoint(checkpoint, settings, fingerprint) : null;
    const net = createHypernet(model.ctx, model, settings.hypernet, resumed?.weights);
    const trainer = new EditorTrainer(
      model,
      net,
      settings.optimizer,
      { lambdas: settings.lambdas, beta: settings.beta },
      settings.seed,
    );
    try {
      trainer.reserve(settings.batch, Math.max(maxSequenceLength(train), maxSequenceLength(val)));
      await trainer.warmUp(longestSamples(train, settings.batch));
      if (resumed) trainer.loadOptimizerState(resumed.adam, resumed.state.step);
    } catch (e) {
      trainer.destroy();
      net.destroy();
      throw e;
    }
    const validator = val.length > 0 ? new EditorValidator(model, net, trainer.capture, trainer.swap) : null;
    return new EditorTrainingRun(
      model,
      settings,
      net,
      trainer,
      validator,
      fingerprint,
      resumed?.state ?? null,
    );
  }

  get step(): number {
    return this.trainer.step;
  }

  /** Trains until `settings.steps` (or until `hooks.shouldStop`), validating and checkpointing on schedule. */
  run(
    train: TrainingEdit[],
    val: TrainingEdit[],
    schedule: RunSchedule,
    hooks: LoopHooks = {},
  ): Promise<void> {
    const { steps, batch, seed } = this.settings;
    return runEditorTraining(
      this.trainer,
      this.validator,
      train,
      val,
      { steps, batch, seed, ...schedule },
      this.curve,
      this.history,
      hooks,
    );
  }

  /** The run's state now, as bytes (write both halves, then rename, so a failed save keeps the last one). */
  async checkpoint(): Promise<TrainingCheckpoint> {
    const saved = await this.net.save();
    const tensors = [...saved.tensors, ...(await this.trainer.optimizerState())];
    const state: TrainingState = {
      format: 'editscope-editor-training',
      step: this.trainer.step,
      settings: this.settings,
      history: this.history,
      curve: this.curve,
      fingerprint: this.fingerprint,
    };
    return { tensors: serializeSafetensors(tensors), state: JSON.stringify(state) + '\n' };
  }

  /**
   * The trained editor's files, with the weights fingerprint (refused by any other model), the training
   * settings and the last validation scores in config.json.
   */
  async editorFiles(seconds: number): Promise<{ config: string; weights: Uint8Array }> {
    const files = serializeEditorFiles(await this.net.save(), this.model, this.fingerprint);
    const config = JSON.parse(files.config) as Record<string, unknown>;
    config.training = { ...this.settings, steps: this.trainer.step, seconds: Math.round(seconds) };
    config.validation = this.history.at(-1) ?? null;
    return { config: JSON.stringify(config, null, 2) + '\n', weights: files.weights };
  }

  destroy(): void {
    this.validator?.destroy();
    this.trainer.destroy();
    this.net.destroy();
  }
}

/** Reads just the JSON half (a caller shows a resumable run's step and curve before loading the model). */
export function parseTrainingState(text: string, where: string): TrainingState {
  let state: TrainingState;
  try {
    state = JSON.parse(text) as TrainingState;
  } catch (e) {
    throw new TrainingCheckpointError(
      `${where} is not valid JSON (${(e as Error).message}): delete it to start over.`,
    );
  }
  const ok =
    typeof state === 'object' &&
    state !== null &&
    Number.isInteger(state.step) &&
    state.step >= 0 &&
    typeof state.settings === 'object' &&
    Array.isArray(state.history) &&
    Array.isArray(state.curve ?? []);
  if (!ok)
    throw new TrainingCheckpointError(`${where} is not an editor training state: delete it to start over.`);
  return { ...state, curve: state.curve ?? [] };
}

function readCheckpoint(c: TrainingCheckpoint, settings: EditorTrainingSettings, fingerprint: string) {
  const state = parseTrainingState(c.state, 'The training checkpoint');
  if (state.fingerprint !== undefined && state.fingerprint !== fingerprint)
    throw new TrainingCheckpointError(
      'The training checkpoint belongs to another model (its weights fingerprint differs): load that model, or start over.',
    );
  const diff = settingsDiff(state.settings, settings);
  if (diff.length > 0)
    throw new TrainingCheckpointError(
      `The training checkpoint was made with other settings (${diff.join('; ')}): use the same settings, or start over.`,
    );
  if (state.step > settings.steps)
    throw new TrainingCheckpointError(
      `The training checkpoint is at step ${state.step}, past the ${settings.steps} steps asked for: raise the steps.`,
    );
  let file;
  try {
    file = parseSafetensors(c.tensors, 'checkpoint.safetensors');
  } catch (e) {
    throw new TrainingCheckpointError(
      `The training checkpoint's tensors are unreadable (${(e as Error).message}): start over.`,
    );
  }
  const weights = new Map<string, Float32Array>();
  const adam = new Map<string, Float32Array>();
  for (const name of file.tensors.keys())
    (name.startsWith('adam.') ? adam : weights).set(name, tensorToFloat32(file, name));
  return { state, weights, adam };
}
