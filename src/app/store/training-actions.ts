// The "Train an editor" panel's engine calls: the worker's defaults and saved run for the loaded model, start /
// pause / resume / cancel (pause = the worker checkpoints and returns; resume = the same run from that
// checkpoint, also after the tab was closed), the live curve polled while it trains, and editors as files
// (a ZIP in the layout of public/models/<name>/editors/: editors/<method>/config.json + editor.safetensors).
// Training holds the engine task, so no edit runs on the model while the editor trains on it.

import type { TrainEditorInput, TrainEditorResult } from '../../worker/training.ts';
import { readZip, writeZip } from '../model/zip.ts';
import { useApp } from './index.ts';
import { beginTask, endTask } from './actions/edit.ts';
import { getEngine, isCancelled, messageOf } from './actions/engine-ref.ts';
import { INITIAL_TRAINING } from './training-slice.ts';
import { downloadZip, fileSlug } from './actions/save-file.ts';

type Method = 'mend' | 'ibke';
const POLL_MS = 1000;
/** Editor files are tens of MiB for a 124M model; a ZIP far above is refused before it is read. */
const MAX_EDITOR_ZIP_BYTES = 1024 * 2 ** 20;

let controller: AbortController | null = null;
const get = () => useApp.getState().training;
const set = (patch: Parameters<ReturnType<typeof useApp.getState>['setTraining']>[0]) =>
  useApp.getState().setTraining(patch);

/** Reads the defaults and the saved run of `method` for the loaded model (a saved run is offered to resume). */
export async function refreshTrainingInfo(method: Method = get().method): Promise<void> {
  if (get().phase === 'running' || get().phase === 'starting') return;
  try {
    const info = await getEngine().call('trainingInfo', { method });
    const saved = info.saved;
    set({
      ...INITIAL_TRAINING,
      method,
      info,
      ...(saved
        ? {
            phase: 'paused',
            step: saved.step,
            totalSteps: saved.totalSteps,
            curve: saved.curve,
            history: saved.history,
          }
        : {}),
      error: info.savedError,
    });
  } catch (e) {
    set({ ...INITIAL_TRAINING, method, error: messageOf(e) });
  }
}

async function poll(): Promise<void> {
  try {
    const s = await getEngine().call('trainingStatus', {});
    if (!s.running && s.step === 0) return;
    set({
      step: s.step,
      totalSteps: s.totalSteps,
      curve: s.curve,
      history: s.history,
      notes: s.notes,
      editsPerSecond: s.editsPerSecond,
    });
  } catch {
    // a missed reading: the next poll catches up
  }
}

async function runTraining(label: string, call: (signal: AbortSignal) => Promise<TrainEditorResult>) {
  controller = new AbortController();
  if (!(await beginTask({ kind: 'files', label, cancellable: false }))) {
    controller = null;
    set({ error: 'The engine is busy with another task: try again when it has finished.' });
    return;
  }
  set({ phase: 'starting', error: null, message: null, stage: 'Starting' });
  const timer = setInterval(() => void poll(), POLL_MS);
  const signal = controller.signal;
  try {
    const r = await call(signal);
    await poll();
    set({ curve: r.curve, history: r.history, step: r.step });
    if (r.finished) {
      const info = useApp.getState().model.info;
      if (info) useApp.getState().setModel({ info: { ...info, methods: r.methods } });
      const v = r.history.at(-1);
      const scores = v
        ? ` Validation at step ${v.step}: reliability ${pct(v.scores.reliability)}, generality ${pct(v.scores.generality)}, locality ${pct(v.scores.locality)}.`
        : '';
      set({
        phase: 'done',
        message: `The ${get().method.toUpperCase()} editor trained for ${r.step} steps is installed for this model: pick it in the method picker.${scores}`,
      });
    } else if (get().phase === 'cancelling') {
      await getEngine().call('discardTraining', { method: get().method });
      set({ ...INITIAL_TRAINING, method: get().method, info: get().info, message: 'Training cancelled.' });
    } else {
      set({ phase: 'paused', message: `Paused at step ${r.step}: the checkpoint is saved in this browser.` });
    }
  } catch (e) {
    if (isCancelled(e))
      set({
        ...INITIAL_TRAINING,
        method: get().method,
        info: get().info,
        message: 'Stopped before the first step.',
      });
    else set({ phase: 'error', error: messageOf(e) });
  } finally {
    clearInterval(timer);
    controller = null;
    set({ stage: null });
    endTask();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const onProgress = (p: { stage: string }) => {
  const phase = get().phase;
  set({ stage: p.stage, ...(phase === 'starting' && /^Step /.test(p.stage) ? { phase: 'running' } : {}) });
};

/** Starts a new run (a saved run of the same method is replaced). */
export function startTraining(input: Omit<TrainEditorInput, 'fresh'>): Promise<void> {
  set({ curve: [], history: [], step: 0, notes: null });
  return runTraining(`Training a ${input.options.method.toUpperCase()} editor…`, (signal) => {
    const transfer = input.dataset ? [input.dataset.bytes.buffer as ArrayBuffer] : [];
    return getEngine().call('trainEditor', { ...input, fresh: true }, { signal, onProgress, transfer });
  });
}

/** Resumes the saved run (this tab's pause, or a closed tab's checkpoint). */
export function resumeTraining(): Promise<void> {
  const method = get().method;
  return runTraining(`Training a ${method.toUpperCase()} editor…`, (signal) =>
    getEngine().call('resumeEditorTraining', { method }, { signal, onProgress }),
  );
}

export function pauseTraining(): void {
  if (!controller) return;
  set({ phase: 'pausing', stage: 'Pausing after this step…' });
  controller.abort();
}

/** Stops and deletes the run (running or paused). */
export async function cancelTraining(): Promise<void> {
  if (controller) {
    set({ phase: 'cancelling', stage: 'Cancelling after this step…' });
    controller.abort();
    return;
  }
  try {
    await getEngine().call('discardTraining', { method: get().method });
    await refreshTrainingInfo();
  } catch (e) {
    set({ error: messageOf(e) });
  }
}

/** Downloads the model's installed editor as a ZIP (editors/<method>/config.json + editor.safetensors). */
export async function exportEditorZip(method: Method): Promise<string | null> {
  const model = useApp.getState().model.info?.name ?? 'model';
  const { config, weights } = await getEngine().call('exportEditor', { method });
  const zip = writeZip([
    { name: `editors/${method}/config.json`, bytes: new TextEncoder().encode(config) },
    { name: `editors/${method}/editor.safetensors`, bytes: new Uint8Array(weights) },
  ]);
  const name = `editscope-editor-${method}-${fileSlug(model)}.zip`;
  downloadZip(zip, name);
  return name;
}

/** Installs an editor ZIP after the worker checked it against this model; returns the sentence to show. */
export async function importEditorZip(file: File): Promise<string> {
  if (file.size > MAX_EDITOR_ZIP_BYTES)
    throw new Error(
      `${file.name}: larger than ${MAX_EDITOR_ZIP_BYTES / 2 ** 20} MiB; an editor file is far smaller.`,
    );
  const entries = readZip(new Uint8Array(await file.arrayBuffer()), file.name);
  const names = [...entries.keys()];
  const configName = names.find((n) => /(^|\/)config\.json$/.test(n));
  const dir = configName?.slice(0, configName.length - 'config.json'.length) ?? '';
  const config = configName ? entries.get(configName) : undefined;
  const weights = entries.get(`${dir}editor.safetensors`);
  if (!config || !weights)
    throw new Error(
      `${file.name}: an editor file holds editors/<method>/config.json and editor.safetensors; this one does not.`,
    );
  const copy = weights.slice().buffer as ArrayBuffer;
  const r = await getEngine().call(
    'importEditor',
    { config: new TextDecoder().decode(config), weights: copy },
    { transfer: [copy] },
  );
  const info = useApp.getState().model.info;
  if (info) useApp.getState().setModel({ info: { ...info, methods: r.methods } });
  return `${file.name}: the ${r.method.toUpperCase()} editor fits this model and is installed; pick it in the method picker.`;
}
