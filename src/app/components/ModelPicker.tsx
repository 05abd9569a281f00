// Which model to edit: the embedded fact-world model, a Hugging Face repo (downloaded by the worker, with a
// progress bar), or a local folder (config.json, model.safetensors, tokenizer.json). After a load, edits a
// session still waits for (a local-folder session) are replayed.

import { useState } from 'react';
import type { ModelInfo } from '../../engine/types.ts';
import { EMBEDDED_MODELS } from '../model/embedded-models.ts';
import { pickCheckpointFiles } from '../model/local-folder.ts';
import { methodLabel } from '../model/method-settings.ts';
import { selectBusy, useApp } from '../store/index.ts';
import { loadModel, replayPending, type LocalFiles } from '../store/actions/session.ts';
import type { SessionModel } from '../permalink/schema.ts';
import { markHistoryStep } from '../store/permalink-sync.ts';
import { ProgressBar } from './ProgressBar.tsx';

type Tab = SessionModel['kind'];

// A model change is a step in the browser history (Back returns to the previous model and its edits), and the
// session before it stays in Recent sessions.
async function loadAndReplay(source: SessionModel, files?: LocalFiles): Promise<void> {
  markHistoryStep();
  if ((await loadModel(source, files, true)) && useApp.getState().pendingEdits.length) await replayPending();
}

export function ModelPicker() {
  const source = useApp((s) => s.model.source);
  const [tab, setTab] = useState<Tab>(source.kind);
  return (
    <section className="panel" aria-labelledby="model-title" data-testid="model-picker">
      <h2 id="model-title">Model</h2>
      <div className="segmented small" role="tablist" aria-label="Model source">
        {(['embedded', 'hub', 'local'] as const).map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? 'active' : ''}
            onClick={() => setTab(t)}
            data-testid={`model-source-${t}`}
          >
            {t === 'embedded' ? 'Built-in' : t === 'hub' ? 'Hugging Face' : 'Local folder'}
          </button>
        ))}
      </div>
      {tab === 'embedded' && <EmbeddedTab />}
      {tab === 'hub' && <HubTab />}
      {tab === 'local' && <LocalTab />}
      <ProgressBar kinds={['load']} testId="model-progress" />
      <ModelInfoLine tab={tab} />
    </section>
  );
}

function EmbeddedTab() {
  const busy = useApp(selectBusy);
  const source = useApp((s) => s.model.source);
  const status = useApp((s) => s.model.status);
  return (
    <div className="tab-body">
      {EMBEDDED_MODELS.map((m, i) => {
        const mine = source.kind === 'embedded' && source.name === m.name;
        const loaded = mine && status === 'ready';
        const loading = mine && status === 'loading';
        return (
          <div key={m.name} className="embedded-model">
            <p className="muted">{m.about}</p>
            <button
              onClick={() => loadAndReplay({ kind: 'embedded', name: m.name })}
              // Loading it again would only drop the edits: once loaded, the button says so.
              disabled={busy || loaded || loading}
              data-testid={i === 0 ? 'load-embedded' : `load-embedded-${m.name}`}
              data-loaded={loaded}
            >
              {loaded ? `✓ ${m.name} is loaded` : loading ? `Loading ${m.name}…` : `Load ${m.name}`}
            </button>
          </div>
        );
      })}
    </div>
  );
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;

function HubTab() {
  const busy = useApp(selectBusy);
  const [repoId, setRepoId] = useState('openai-community/gpt2');
  const valid = REPO_ID.test(repoId.trim()) && !repoId.includes('..');
  return (
    <form
      className="tab-body"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) loadAndReplay({ kind: 'hub', repoId: repoId.trim() });
      }}
    >
      <label className="field">
        <span>Repository id</span>
        <input
          value={repoId}
          onChange={(e) => setRepoId(e.target.value)}
          maxLength={96}
          spellCheck={false}
          placeholder="openai-community/gpt2"
          data-testid="hub-repo-input"
          aria-invalid={!valid}
        />
      </label>
      {!valid && repoId && (
        <p className="field-error">A repo id looks like “owner/name”: letters, digits, “-”, “_” and “.”.</p>
      )}
      <p className="muted">
        GPT-2 checkpoints with model.safetensors and tokenizer.json. Downloads are cached by the browser.
      </p>
      <button type="submit" disabled={busy || !valid} data-testid="load-hub">
        Download and load
      </button>
    </form>
  );
}

function LocalTab() {
  const busy = useApp(selectBusy);
  const [problem, setProblem] = useState<string | null>(null);
  const onFiles = async (list: FileList | null) => {
    setProblem(null);
    const files = Array.from(list ?? []);
    const pick = pickCheckpointFiles(
      files.map((f) => ({ path: f.webkitRelativePath || f.name, size: f.size })),
    );
    if (!pick.ok) return setProblem(pick.message);
    try {
      const [config, safetensors, tokenizer] = await Promise.all([
        files[pick.index['config.json']].text(),
        files[pick.index['model.safetensors']].arrayBuffer(),
        files[pick.index['tokenizer.json']].text(),
      ]);
      await loadAndReplay(
        { kind: 'local', label: pick.folder.slice(0, 120) },
        { config, safetensors, tokenizer },
      );
    } catch (e) {
      setProblem(`The files could not be read: ${(e as Error).message}`);
    }
  };
  return (
    <div className="tab-body">
      <label className="file-pick">
        <span>Choose a folder with config.json, model.safetensors and tokenizer.json</span>
        <input
          type="file"
          // webkitdirectory is not in React's types; it makes the picker choose a folder (all browsers support it).
          {...{ webkitdirectory: '', directory: '' }}
          multiple
          disabled={busy}
          onChange={(e) => onFiles(e.target.files)}
          data-testid="local-folder-input"
        />
      </label>
      <p className="muted">The files stay on this computer: they are read by this page only.</p>
      {problem && (
        <p className="error" role="alert" data-testid="local-folder-error">
          {problem}
        </p>
      )}
    </div>
  );
}

function ModelInfoLine({ tab }: { tab: Tab }) {
  const model = useApp((s) => s.model);
  const error = model.error && (model.errorFor ?? tab) === tab && (
    <p className="error" role="alert" data-testid="model-error">
      {model.error}
    </p>
  );
  if (!model.info || model.status !== 'ready') return error || null;
  const i = model.info;
  return (
    <>
      {error}
      <dl className="model-info" data-testid="model-info" data-model={i.name}>
        <div>
          <dt>Loaded</dt>
          <dd>{i.name}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>
            {formatCount(i.parameterCount)} params · {i.nLayer} layers · d={i.nEmbd}
          </dd>
        </div>
        <div>
          <dt>Weights</dt>
          <dd data-testid="model-weights">{weightsLine(i)}</dd>
        </div>
        <div>
          <dt>Editors</dt>
          <dd>{i.methods.length ? i.methods.map((m) => methodLabel(m)).join(', ') : 'none yet'}</dd>
        </div>
      </dl>
      {/* Editor files that came with the model but were refused (trained for another model...). */}
      {i.editorNotes?.map((note) => (
        <p key={note} className="muted" role="status" data-testid="editor-note">
          {note}
        </p>
      ))}
    </>
  );
}

/** "F32 file, 4.3 MB · 4.3 MB on the GPU (f32)": the stored format and what it costs in memory. */
function weightsLine(i: ModelInfo): string {
  const mb = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);
  const file = i.dtype ? `${i.dtype} file${i.fileBytes ? `, ${mb(i.fileBytes)}` : ''}` : null;
  const gpu = `${mb(i.gpuWeightBytes ?? 4 * i.parameterCount)} on the GPU (f32)`;
  return file ? `${file} · ${gpu}` : gpu;
}

function formatCount(n: number): string {
  return n >= 1e9
    ? `${(n / 1e9).toFixed(1)}B`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(1)}M`
      : `${(n / 1e3).toFixed(0)}k`;
}
