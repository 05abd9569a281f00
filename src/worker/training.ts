// Training a MEND or IBKE editor for the loaded model in the worker, with the SAME run the CLI trains with
// (src/editors/training/run.ts): the dataset (the shipped CounterFact split by default, or any file the user
// picks), the known-answers count before training, checkpoints into a store (OPFS in the browser) after every
// `checkpointEvery` steps and on cancel, so a closed tab resumes from the last one, and the result installed
// as the model's editor (and served on a device-loss reload). The caller polls `trainingStatus` for the live
// curve while `trainEditor` runs.

import { EDITOR_FILES, editorDir } from '../editors/hyper/files.ts';
import { IbkeEditor } from '../editors/ibke.ts';
import { MendEditor } from '../editors/mend.ts';
import {
  describeSkips,
  readTrainingRecords,
  tokenizeRecords,
  type SkipCounts,
} from '../editors/training/dataset-file.ts';
import { countKnownAnswers, describeKnown, type KnownCount } from '../editors/training/known.ts';
import type { CurvePoint, ValidationPoint } from '../editors/training/loop.ts';
import { trainingSettings, type TrainingOptions } from '../editors/training/options.ts';
import { EditorTrainingRun, type TrainingCheckpoint } from '../editors/training/run.ts';
import type { EngineHost } from '../engine/host.ts';
import type { MethodName } from '../engine/types.ts';
import type { ProgressEvent } from './protocol.ts';
import type { TrainingInfo } from './training-calls.ts';

export interface TrainEditorInput {
  options: Omit<TrainingOptions, 'data'>;
  /** The dataset file; null = the shipped CounterFact train split (fetched by the caller's `fetchDefault`). */
  dataset: { name: string; bytes: Uint8Array } | null;
  /** Records used for training (the first N), and the next `validation` records held out. */
  maxTrain?: number;
  validation?: number;
  checkpointEvery?: number;
  validateEvery?: number;
  /** Records checked for "does the model know the true answer" before training (0 = skip). */
  checkKnown?: number;
  /** Start over: the saved checkpoint of this method and model is deleted first (else it is resumed). */
  fresh?: boolean;
}

export interface TrainEditorResult {
  step: number;
  /** False when cancelled (the checkpoint is kept; the same call resumes). */
  finished: boolean;
  methods: MethodName[];
  curve: CurvePoint[];
  history: ValidationPoint[];
  known: KnownCount | null;
  skipped: SkipCounts;
  skippedText: string;
  /** The installed editor's files (for export), when finished. */
  files: { config: string; weights: Uint8Array } | null;
}

/** Where checkpoints live (OPFS in the browser, a Map in tests); writes must be all-or-nothing per name. */
export interface CheckpointStore {
  read(name: string): Promise<Uint8Array | null>;
  write(name: string, bytes: Uint8Array): Promise<void>;
  /** Deletes a file (absent: nothing to do). */
  remove(name: string): Promise<void>;
}

export interface TrainingStatus {
  running: boolean;
  step: number;
  totalSteps: number;
  curve: CurvePoint[];
  history: ValidationPoint[];
  /** What the run trains on, as sentences (shown while it runs): the file, the skipped records, the known check. */
  notes: TrainingNotes | null;
  /** Edits per second over this call's steps (0 before the first). */
  editsPerSecond: number;
}

export interface TrainingNotes {
  dataset: string;
  /** "1,200 training edits and 32 held out for validation from edits-train.json.gz." */
  records: string;
  /** "all 1232 records fit" / "skipped 3 of 100 records: ..." */
  skipped: string;
  /** describeKnown's sentence, or null when not checked. */
  known: string | null;
}

let status: TrainingStatus = {
  running: false,
  step: 0,
  totalSteps: 0,
  curve: [],
  history: [],
  notes: null,
  editsPerSecond: 0,
};

/** The live view of the run (the panel polls it for its chart). */
export function trainingStatus(): TrainingStatus {
  return { ...status, curve: [...status.curve], history: [...status.history] };
}

/**
 * Checkpoint names: one run per method per model (its settings must match to resume). `input` keeps the call's
 * settings and `data` the user's dataset file, so a closed tab resumes without asking for them again.
 */
export const checkpointNames = (method: string, fingerprint: string) => ({
  tensors: `train-${method}-${fingerprint}.safetensors`,
  state: `train-${method}-${fingerprint}.json`,
  input: `train-${method}-${fingerprint}.input.json`,
  data: `train-${method}-${fingerprint}.data`,
});

export async function trainEditorInWorker(
  host: EngineHost,
  store: CheckpointStore,
  input: TrainEditorInput,
  tools: { progress: (p: ProgressEvent) => void; checkCancelled: () => void },
  fetchDefault: () => Promise<{ name: string; bytes: Uint8Array }>,
  fingerprint: string,
): Promise<TrainEditorResult> {
  // The editor learns the unedited model (its known-answers check too): the session's edits are taken off
  // while it trains and put back, in order and exactly (side-car factors), however the call ends.
  const stack = host.current.stack;
  const applied = [...stack.patches];
  for (const p of applied) stack.revert(p.id);
  try {
    return await trainUnedited(host, store, input, tools, fetchDefault, fingerprint);
  } finally {
    for (const p of applied) stack.apply(p);
  }
}

async function trainUnedited(
  host: EngineHost,
  store: CheckpointStore,
  input: TrainEditorInput,
  tools: { progress: (p: ProgressEvent) => void; checkCancelled: () => void },
  fetchDefault: () => Promise<{ name: string; bytes: Uint8Array }>,
  fingerprint: string,
): Promise<TrainEditorResult> {
  const session = host.current;
  const { model, tokenizer } = session.view;
  const encode = (t: string) => tokenizer.encode(t);
  const files = checkpointNames(input.options.method, fingerprint);
  if (input.fresh) for (const n of Object.values(files)) await store.remove(n);
  const data = input.dataset ?? (await fetchDefault());
  tools.progress({ stage: `Reading ${data.name}`, fraction: null });
  const records = await readTrainingRecords(data.bytes, data.name);
  const nVal = Math.min(input.validation ?? 0, Math.floor(records.length / 2));
  const nTrain = Math.min(input.maxTrain ?? records.length - nVal, records.length - nVal);
  const T = model.dims.nPositions;
  const train = tokenizeRecords(records.slice(0, nTrain), encode, T);
  const val = tokenizeRecords(records.slice(nTrain, nTrain + nVal), encode, T);
  const skippedText = describeSkips(train.skipped, nTrain, T);
  if (train.edits.length === 0)
    throw new RangeError(`${data.name}: no usable training edits (${skippedText}).`);
  const notes: TrainingNotes = {
    dataset: data.name,
    records: `${train.edits.length.toLocaleString('en')} training edits and ${val.edits.length} held out for validation from ${data.name}.`,
    skipped: `Training records: ${skippedText}.`,
    known: null,
  };
  status = { ...status, notes, curve: [], history: [], step: 0 };
  let known: KnownCount | null = null;
  if ((input.checkKnown ?? 200) > 0) {
    tools.progress({ stage: 'Checking which true answers the model knows', fraction: null });
    known = await countKnownAnswers(model, encode, records, {
      limit: input.checkKnown ?? 200,
      shouldStop: tools.checkCancelled,
    });
    notes.known = `First ${Math.min(input.checkKnown ?? 200, records.length)} records: ${describeKnown(known)}`;
  }
  const settings = trainingSettings(model, {
    ...input.options,
    data: { file: data.name, edits: train.edits.length },
  });
  const [tensors, state] = await Promise.all([store.read(files.tensors), store.read(files.state)]);
  // What a closed tab needs to resume this run: the call (no bytes) and the user's file (the default set is
  // fetched again).
  const { dataset, fresh: _fresh, ...rest } = input;
  await store.write(
    files.input,
    new TextEncoder().encode(JSON.stringify({ ...rest, dataset: dataset?.name ?? null })),
  );
  if (dataset && !state) await store.write(files.data, dataset.bytes);
  const checkpoint: TrainingCheckpoint | undefined =
    tensors && state ? { tensors, state: new TextDecoder().decode(state) } : undefined;
  tools.progress({
    stage: checkpoint ? 'Resuming from the last checkpoint' : 'Preparing the editor',
    fraction: null,
  });
  const run = await EditorTrainingRun.create(model, settings, train.edits, val.edits, checkpoint);
  status = {
    running: true,
    step: run.step,
    totalSteps: settings.steps,
    curve: run.curve,
    history: run.history,
    notes,
    editsPerSecond: 0,
  };
  let cancelled = false;
  const started = performance.now();
  try {
    await run.run(
      train.edits,
      val.edits,
      { checkpointEvery: input.checkpointEvery ?? 25, validateEvery: input.validateEvery ?? 0 },
      {
        shouldStop: () => {
          try {
            tools.checkCancelled();
            return false;
          } catch {
            return (cancelled = true);
          }
        },
        onProgress: (p) => {
          status.step = p.result.step;
          status.editsPerSecond = p.editsPerSecond;
          tools.progress({
            stage: `Step ${p.result.step}/${p.totalSteps}, loss ${p.result.loss.toFixed(4)}`,
            fraction: p.result.step / p.totalSteps,
          });
        },
        onCheckpoint: async () => {
          const c = await run.checkpoint();
          // Tensors first, state last: a state names a step only once its tensors are written.
          await store.write(files.tensors, c.tensors);
          await store.write(files.state, new TextEncoder().encode(c.state));
        },
      },
    );
    const result = {
      step: run.step,
      curve: run.curve,
      history: run.history,
      known,
      skipped: train.skipped,
      skippedText,
    };
    if (cancelled) return { ...result, finished: false, methods: session.methods, files: null };
    const editor = await run.editorFiles((performance.now() - started) / 1000);
    install(host, settings.method, editor);
    return { ...result, finished: true, methods: session.methods, files: editor };
  } finally {
    status = { ...status, running: false };
    run.destroy();
  }
}

/** Installs trained editor files as the session's editor for `method` (and serves them on reload). */
export function install(
  host: EngineHost,
  method: 'mend' | 'ibke',
  files: { config: string; weights: Uint8Array },
): void {
  const session = host.current;
  const model = session.view.model;
  const editor = method === 'mend' ? MendEditor.load(model, files) : IbkeEditor.load(model, files);
  session.addEditor(method, editor);
  const src = host.loadedSource;
  if (!src) return;
  const dir = editorDir(method);
  const base = src.editorFiles;
  const bytes = new Map([
    [`${dir}/${EDITOR_FILES.config}`, new TextEncoder().encode(files.config)],
    [`${dir}/${EDITOR_FILES.weights}`, files.weights],
  ]);
  src.editorFiles = async (n) => bytes.get(n) ?? (await base(n));
}

/** Worker calls of this file and ./training-calls.ts (merged into EngineCalls in protocol.ts). */
export interface TrainingCalls {
  /** Trains (or resumes) an editor for the loaded model and installs it; cancel keeps the checkpoint. */
  trainEditor: [TrainEditorInput, TrainEditorResult];
  /** Resumes the saved run of `method` for the loaded model with the settings and file it was started with. */
  resumeEditorTraining: [{ method: 'mend' | 'ibke' }, TrainEditorResult];
  /** The running training's step and curve (polled for the live chart). */
  trainingStatus: [Record<string, never>, TrainingStatus];
  /** The defaults of train-editor for this model, its default dataset and a resumable checkpoint, if any. */
  trainingInfo: [{ method: 'mend' | 'ibke' }, TrainingInfo];
  /** Deletes the saved run of `method` for the loaded model. */
  discardTraining: [{ method: 'mend' | 'ibke' }, Record<string, never>];
  /** The model's installed MEND/IBKE editor as files (config.json records this model's fingerprint). */
  exportEditor: [{ method: 'mend' | 'ibke' }, { config: string; weights: ArrayBuffer }];
  /** Installs editor files after checking they were made for this model (else refused, nothing installed). */
  importEditor: [
    { config: string; weights: ArrayBuffer },
    { method: 'mend' | 'ibke'; methods: MethodName[] },
  ];
}

/** The shipped CounterFact train split, fetched next to the app. */
export async function fetchShippedDataset(): Promise<{ name: string; bytes: Uint8Array }> {
  const name = 'counterfact-train.json.gz';
  const res = await fetch(new URL(`/data/${name}`, self.location.href));
  if (!res.ok) throw new Error(`Could not download the shipped training set ${name} (HTTP ${res.status}).`);
  return { name, bytes: new Uint8Array(await res.arrayBuffer()) };
}
