// "Train an editor": trains a MEND or IBKE editor for the loaded model in this tab, on the GPU, with the same
// trainer as `npx editscope train-editor` (src/editors/training/run.ts in the worker). Dataset: the model's
// default set (fact-world's train split for the embedded model, the shipped CounterFact split otherwise) or
// a file in any supported format; what was skipped and how many true answers the model knows are said in
// sentences. A live loss / validation chart, Pause / Resume / Cancel; the run checkpoints in the browser
// (OPFS), so a closed tab offers to resume. When it finishes, the editor is installed for this model and the
// method picker offers it. Loaded on first render (React.lazy in Playground.tsx).

import { useEffect, useState } from 'react';
import { useApp } from '../store/index.ts';
import {
  cancelTraining,
  pauseTraining,
  refreshTrainingInfo,
  resumeTraining,
  startTraining,
} from '../store/training-actions.ts';
import './TrainEditor.css';
import { TrainEditorChart } from './TrainEditorChart.tsx';
import { TrainEditorFiles } from './TrainEditorFiles.tsx';
import { formFromDefaults, optionsFromForm, TrainEditorForm, type TrainForm } from './TrainEditorForm.tsx';

/** A dataset file is read whole into memory; far above any edit set. */
const MAX_DATASET_BYTES = 512 * 2 ** 20;

export function TrainEditor() {
  const ready = useApp((s) => s.model.status === 'ready');
  const modelName = useApp((s) => s.model.info?.name ?? null);
  const t = useApp((s) => s.training);
  const otherTask = useApp(
    (s) => s.task !== null && s.task.kind !== 'preview' && !busyTraining(s.training.phase),
  );
  const [form, setForm] = useState<TrainForm | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [useFile, setUseFile] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (ready && modelName) void refreshTrainingInfo(useApp.getState().training.method);
  }, [ready, modelName]);
  // The form takes the worker's defaults once per model and method (React's adjust-state-on-prop pattern);
  // later readings of the same (after a pause or a cancel) keep what the user typed.
  const formKey = `${modelName}|${t.method}`;
  const [formFor, setFormFor] = useState<string | null>(null);
  if (t.info && formFor !== formKey) {
    setFormFor(formKey);
    setForm(formFromDefaults(t.info.defaults));
  }
  if (!ready) return null;

  const running = busyTraining(t.phase);
  const saved = t.phase === 'paused' && t.step > 0;
  const finishedRun = saved && t.step >= t.totalSteps;
  // The method changes with its info (refreshTrainingInfo sets both), so the form never shows the other's.
  const chooseMethod = (m: 'mend' | 'ibke') => {
    if (m !== t.method) void refreshTrainingInfo(m);
  };
  const start = async () => {
    if (!form) return;
    const parsed = optionsFromForm(t.method, form);
    if ('error' in parsed) return setFormError(parsed.error);
    if (useFile && !file) return setFormError('Choose a dataset file, or use the default set.');
    if (file && useFile && file.size > MAX_DATASET_BYTES)
      return setFormError(`${file.name} is larger than ${MAX_DATASET_BYTES / 2 ** 20} MiB.`);
    setFormError(null);
    const dataset =
      useFile && file ? { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : null;
    await startTraining({
      options: parsed.options as never,
      dataset,
      validation: parsed.validation,
      validateEvery: parsed.validateEvery,
      checkpointEvery: 5,
    });
  };

  return (
    <details className="panel train-editor" data-testid="train-editor">
      <summary>
        <h2>Train an editor</h2>
      </summary>
      <p className="muted">
        Trains a hypernetwork editor for this model here, on your GPU (the same trainer as{' '}
        <code>npx editscope train-editor</code>). Checkpoints are kept in this browser, so a closed tab
        resumes.
      </p>
      <div className="segmented" role="radiogroup" aria-label="Editor to train">
        {(['ibke', 'mend'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="radio"
            aria-checked={t.method === m}
            className={t.method === m ? 'active' : ''}
            disabled={running}
            onClick={() => chooseMethod(m)}
            data-testid={`train-method-${m}`}
          >
            {m.toUpperCase()}
          </button>
        ))}
      </div>
      <fieldset className="train-dataset" disabled={running || saved}>
        <legend>Dataset</legend>
        <label>
          <input type="radio" name="train-dataset" checked={!useFile} onChange={() => setUseFile(false)} />{' '}
          Default: {t.info?.defaultDataset ?? '…'}
        </label>
        <label>
          <input type="radio" name="train-dataset" checked={useFile} onChange={() => setUseFile(true)} /> A
          file (EasyEdit, CounterFact, ZsRE, MQuAKE; JSON or .gz)
        </label>
        {useFile && (
          <input
            type="file"
            accept=".json,.jsonl,.gz,application/json"
            aria-label="Dataset file"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-testid="train-dataset-file"
          />
        )}
      </fieldset>
      {form && t.info && (
        <TrainEditorForm
          method={t.method}
          form={form}
          layerChoices={t.info.layerChoices}
          disabled={running || saved}
          onChange={setForm}
        />
      )}
      {saved && (
        <p className="note" role="status" data-testid="train-saved">
          {finishedRun
            ? `A finished ${t.method.toUpperCase()} run (${t.step} steps) is saved in this browser for this model.`
            : `A ${t.method.toUpperCase()} run is saved at step ${t.step} of ${t.totalSteps}: resume it from its checkpoint, or start over.`}
        </p>
      )}
      <div className="actions train-actions">
        {!running && !saved && (
          <button
            type="button"
            className="btn-primary"
            disabled={!form || otherTask}
            onClick={() => void start()}
            data-testid="train-start"
          >
            Train {t.method.toUpperCase()}
          </button>
        )}
        {saved && (
          <button
            type="button"
            className="btn-primary"
            disabled={otherTask}
            onClick={() => void resumeTraining()}
            data-testid="train-resume"
          >
            {finishedRun ? 'Install the trained editor' : `Resume from step ${t.step}`}
          </button>
        )}
        {(t.phase === 'running' || t.phase === 'starting') && (
          <button type="button" onClick={pauseTraining} data-testid="train-pause">
            Pause
          </button>
        )}
        {(running || saved) && (
          <button
            type="button"
            disabled={t.phase === 'cancelling' || t.phase === 'pausing'}
            onClick={() => void cancelTraining()}
            data-testid="train-cancel"
          >
            {saved ? 'Start over' : 'Cancel'}
          </button>
        )}
      </div>
      {formError && (
        <p className="error" role="alert">
          {formError}
        </p>
      )}
      <div role="status" aria-live="polite" className="train-status" data-testid="train-status">
        {running && (
          <>
            {t.stage && !/^Step /.test(t.stage) && <span data-testid="train-stage">{t.stage} </span>}
            {t.totalSteps > 0 && (
              <span data-testid="train-step" data-step={t.step}>
                Step {t.step} of {t.totalSteps}
                {t.curve.length > 0 ? `, loss ${t.curve.at(-1)!.loss.toFixed(4)}` : ''}
                {t.editsPerSecond > 0 ? `, ${t.editsPerSecond.toFixed(2)} edits/s` : ''}
              </span>
            )}
            <progress
              max={1}
              value={t.totalSteps > 0 ? t.step / t.totalSteps : undefined}
              aria-label="Training progress"
            />
          </>
        )}
        {!running && t.message && <span data-testid="train-message">{t.message}</span>}
      </div>
      {t.notes && (
        <ul className="train-notes" data-testid="train-notes">
          <li>{t.notes.records}</li>
          <li>{t.notes.skipped}</li>
          {t.notes.known && <li data-testid="train-known">{t.notes.known}</li>}
        </ul>
      )}
      {t.error && (
        <p className="error" role="alert" data-testid="train-error">
          {t.error}
        </p>
      )}
      {t.curve.length > 0 && <TrainEditorChart curve={t.curve} history={t.history} />}
      <TrainEditorFiles disabled={running || otherTask} />
    </details>
  );
}

function busyTraining(phase: string): boolean {
  return phase === 'starting' || phase === 'running' || phase === 'pausing' || phase === 'cancelling';
}
