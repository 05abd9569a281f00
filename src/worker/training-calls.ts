// The worker side of the "Train an editor" panel around the run itself (./training.ts): the train-editor
// defaults for the loaded model (computed by the same trainingSettings the CLI uses, so the panel keeps no
// second copy), the model's default training set (a set shipped next to the model, such as fact-world's train
// split, else the shipped CounterFact split), the saved run a closed tab resumes, and editors as files: export
// the installed editor (config.json stamped with this model's fingerprint and layer roles) and import one,
// checked against this model before anything is installed.

import { EDITOR_FILES, editorDir } from '../editors/hyper/files.ts';
import { checkEditorFingerprint, layerRoleTable, modelFingerprint } from '../editors/hyper/fingerprint.ts';
import { gpt2ParamToLayerKey, layerKey } from '../editors/hyper/layers.ts';
import { isGzip } from '../editors/training/dataset-file.ts';
import type { CurvePoint, ValidationPoint } from '../editors/training/loop.ts';
import { trainingSettings } from '../editors/training/options.ts';
import { parseTrainingState } from '../editors/training/run.ts';
import { EditorWeightsError } from '../editors/types.ts';
import type { EngineHost } from '../engine/host.ts';
import type { MethodName } from '../engine/types.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { ProgressEvent } from './protocol.ts';
import {
  checkpointNames,
  fetchShippedDataset,
  install,
  trainEditorInWorker,
  trainingStatus,
  type CheckpointStore,
  type TrainEditorInput,
  type TrainingCalls,
} from './training.ts';

/** A training set a model may ship next to its weights (gzip JSON in any supported format). */
export const MODEL_TRAINING_SET = 'edits-train.json.gz';

export interface TrainingDefaults {
  steps: number;
  batch: number;
  lr: number;
  /** IBKE only. */
  beta?: number;
  latentLength?: number;
  /** MEND only. */
  rank?: number;
  lambdas: { rel: number; gen: number; loc: number };
  layers: string[];
}

export interface SavedRun {
  step: number;
  totalSteps: number;
  dataset: string;
  curve: CurvePoint[];
  history: ValidationPoint[];
}

export interface TrainingInfo {
  defaults: TrainingDefaults;
  /** Every linear layer the editor may edit, '{block}.{role}'. */
  layerChoices: string[];
  /** The model's default training set, as a sentence. */
  defaultDataset: string;
  /** A resumable run of this method for this model (a closed tab), or null. */
  saved: SavedRun | null;
  /** A saved run that cannot be read (then "Start over" deletes it). */
  savedError: string | null;
  running: boolean;
}

type Tools = { progress: (p: ProgressEvent) => void; checkCancelled: () => void };

/**
 * The model's own training set when it ships one. A static server may send the .gz with Content-Encoding: gzip
 * (then fetch hands over the JSON) or answer a missing file with its index.html: gzip or JSON is taken, HTML not.
 */
async function ownTrainingSet(host: EngineHost): Promise<Uint8Array | null> {
  const own = await host.loadedSource?.editorFiles(MODEL_TRAINING_SET).catch(() => null);
  if (!own) return null;
  const first = own.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  return isGzip(own) || first === 0x5b || first === 0x7b ? own : null; // gzip, '[' or '{'
}

export async function defaultDataset(host: EngineHost): Promise<{ name: string; bytes: Uint8Array }> {
  const own = await ownTrainingSet(host);
  if (own) return { name: MODEL_TRAINING_SET, bytes: own };
  return fetchShippedDataset();
}

function defaultsFor(model: LanguageModel, method: 'mend' | 'ibke'): TrainingDefaults {
  const s = trainingSettings(model, { method, data: { file: '', edits: 0 } });
  const h = s.hypernet as { editedLayers: string[]; latentLength?: number; rank?: number };
  return {
    steps: s.steps,
    batch: s.batch,
    lr: s.optimizer.lr,
    ...(method === 'ibke' ? { beta: s.beta, latentLength: h.latentLength } : { rank: h.rank }),
    lambdas: { ...s.lambdas },
    layers: [...h.editedLayers],
  };
}

async function trainingInfo(host: EngineHost, store: CheckpointStore, method: 'mend' | 'ibke') {
  const model = host.current.view.model;
  const files = checkpointNames(method, await modelFingerprint(model));
  const defaultSet =
    (await ownTrainingSet(host)) !== null
      ? `the training set shipped with this model (${MODEL_TRAINING_SET})`
      : 'the CounterFact train split shipped with the app (10,000 records; MIT, from the RECIPE repository)';
  let saved: SavedRun | null = null;
  let savedError: string | null = null;
  const [stateBytes, inputBytes] = await Promise.all([store.read(files.state), store.read(files.input)]);
  if (stateBytes) {
    try {
      const state = parseTrainingState(new TextDecoder().decode(stateBytes), 'The saved training run');
      saved = {
        step: state.step,
        totalSteps: state.settings.steps,
        dataset: state.settings.data.file,
        curve: state.curve,
        history: state.history,
      };
      if (!inputBytes) throw new Error('The saved training run has lost its settings: start over.');
    } catch (e) {
      saved = null;
      savedError = (e as Error).message;
    }
  }
  const info: TrainingInfo = {
    defaults: defaultsFor(model, method),
    layerChoices: model.linears.map((l) => layerKey(l.block, l.role)),
    defaultDataset: defaultSet,
    saved,
    savedError,
    running: trainingStatus().running,
  };
  return info;
}

async function resume(host: EngineHost, store: CheckpointStore, method: 'mend' | 'ibke', tools: Tools) {
  const fingerprint = await modelFingerprint(host.current.view.model);
  const files = checkpointNames(method, fingerprint);
  const text = await store.read(files.input);
  if (!text) throw new Error('There is no saved training run of this editor for this model.');
  const saved = JSON.parse(new TextDecoder().decode(text)) as Omit<TrainEditorInput, 'dataset'> & {
    dataset: string | null;
  };
  let dataset: TrainEditorInput['dataset'] = null;
  if (saved.dataset !== null) {
    const bytes = await store.read(files.data);
    if (!bytes)
      throw new Error(
        `The saved run's dataset ${saved.dataset} is no longer in this browser's storage: start over with the file.`,
      );
    dataset = { name: saved.dataset, bytes };
  }
  return trainEditorInWorker(
    host,
    store,
    { ...saved, dataset, fresh: false },
    tools,
    () => defaultDataset(host),
    fingerprint,
  );
}

/**
 * config.json of an editor as exported: with this model's fingerprint and the edited layers' role table, so
 * the file refuses any other model (the shipped fact-world files predate fingerprints and get them here).
 */
export function stampEditorConfig(text: string, model: LanguageModel, fingerprint: string): string {
  const file = JSON.parse(text) as {
    model?: { fingerprint?: string; layers?: unknown };
    config: { editedLayers?: string[]; editedParams?: string[] };
  };
  const keys =
    file.config.editedLayers ?? (file.config.editedParams ?? []).map((p) => gpt2ParamToLayerKey(p) ?? p);
  file.model = {
    ...file.model,
    fingerprint: file.model?.fingerprint ?? fingerprint,
    layers: file.model?.layers ?? layerRoleTable(model, keys),
  };
  return JSON.stringify(file, null, 2) + '\n';
}

async function exportEditor(host: EngineHost, method: 'mend' | 'ibke') {
  const session = host.current;
  const name = method.toUpperCase();
  const dir = editorDir(method);
  const src = host.loadedSource;
  const [config, weights] = src
    ? await Promise.all([
        src.editorFiles(`${dir}/${EDITOR_FILES.config}`),
        src.editorFiles(`${dir}/${EDITOR_FILES.weights}`),
      ])
    : [null, null];
  if (!session.methods.includes(method) || !config || !weights)
    throw new EditorWeightsError(`This model has no ${name} editor to export: train or import one first.`);
  const model = session.view.model;
  const text = stampEditorConfig(new TextDecoder().decode(config), model, await modelFingerprint(model));
  const copy = weights.slice().buffer as ArrayBuffer;
  return { config: text, weights: copy };
}

async function importEditor(
  host: EngineHost,
  config: string,
  weights: Uint8Array,
): Promise<{ method: 'mend' | 'ibke'; methods: MethodName[] }> {
  let method: unknown;
  try {
    method = (JSON.parse(config) as { config?: { method?: unknown } })?.config?.method;
  } catch (e) {
    throw new EditorWeightsError(
      `The editor's config.json is not valid JSON (${(e as Error).message}); export the editor again.`,
    );
  }
  if (method !== 'mend' && method !== 'ibke')
    throw new EditorWeightsError(
      "The editor's config.json does not describe a MEND or IBKE editor (config.method): is it an Editscope editor file?",
    );
  const model = host.current.view.model;
  // Another model's editor is refused here, before anything is installed; install() then checks the
  // architecture, shapes and layer roles (readEditorFiles) before it replaces the current editor.
  await checkEditorFingerprint(method, config, model);
  install(host, method, { config, weights });
  return { method: method as 'mend' | 'ibke', methods: host.current.methods };
}

type Handlers = {
  [K in keyof TrainingCalls]: (payload: TrainingCalls[K][0], tools: Tools) => Promise<TrainingCalls[K][1]>;
};

/** The handlers of TrainingCalls for the engine worker (spread into its handler table). */
export function trainingHandlers(host: EngineHost, store: CheckpointStore): Handlers {
  const fingerprint = () => modelFingerprint(host.current.view.model);
  return {
    trainEditor: async (input, tools) =>
      trainEditorInWorker(host, store, input, tools, () => defaultDataset(host), await fingerprint()),
    resumeEditorTraining: ({ method }, tools) => resume(host, store, method, tools),
    trainingStatus: async () => trainingStatus(),
    trainingInfo: ({ method }) => trainingInfo(host, store, method),
    discardTraining: async ({ method }) => {
      if (trainingStatus().running) throw new Error('Stop the running training first.');
      for (const n of Object.values(checkpointNames(method, await fingerprint()))) await store.remove(n);
      return {};
    },
    exportEditor: ({ method }) => exportEditor(host, method),
    importEditor: ({ config, weights }) => importEditor(host, config, new Uint8Array(weights)),
  };
}
