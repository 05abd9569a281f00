// Which model to edit: the embedded fact-world model, a Hugging Face repo (downloaded by the worker, with a
// progress bar), or a local folder (config.json, model.safetensors, tokenizer.json), and the format its weights
// are loaded in (f32 / f16 / int8 / int4, with the GPU bytes of each: WeightChoice.tsx). After a load, edits a
// session still waits for (a local-folder session) are replayed.

import { useState } from 'react';
import type { ModelInfo, WeightDtype } from '../../engine/types.ts';
import { EMBEDDED_MODELS, type EmbeddedName } from '../model/embedded-models.ts';
import { pickCheckpointFiles } from '../model/local-folder.ts';
import { methodLabel } from '../model/method-settings.ts';
import { selectBusy, useApp } from '../store/index.ts';
import { loadModel, replayPending, type LocalFiles } from '../store/actions/session.ts';
import { GGUF_FILE, modelDtype, withDtype, type SessionModel } from '../permalink/schema.ts';
import { markHistoryStep } from '../store/permalink-sync.ts';
import { GgufPick } from './GgufPick.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { formatBytes, initialDtype, useWeightOptions, WeightChoiceField } from './WeightChoice.tsx';

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
  return (
    <div className="tab-body">
      {EMBEDDED_MODELS.map((m, i) => (
        <EmbeddedModel key={m.name} name={m.name} about={m.about} first={i === 0} />
      ))}
    </div>
  );
}

function EmbeddedModel({ name, about, first }: { name: EmbeddedName; about: string; first: boolean }) {
  const busy = useApp(selectBusy);
  const source = useApp((s) => s.model.source);
  const status = useApp((s) => s.model.status);
  const mine = source.kind === 'embedded' && source.name === name;
  const { choice, error } = useWeightOptions({ kind: 'embedded', name });
  const [picked, setPicked] = useState<WeightDtype | null>(null);
  const dtype = picked ?? initialDtype(mine ? modelDtype(source) : null, choice);
  const loaded = mine && status === 'ready' && modelDtype(source) === dtype;
  const loading = mine && status === 'loading';
  const as = dtype === 'f32' ? '' : ` (${dtype})`;
  const testId = first ? 'load-embedded' : `load-embedded-${name}`;
  return (
    <div className="embedded-model">
      <p className="muted">{about}</p>
      <WeightChoiceField
        value={dtype}
        onChange={setPicked}
        choice={choice}
        error={error}
        disabled={busy}
        testId={first ? 'weights-embedded' : `weights-embedded-${name}`}
      />
      <button
        onClick={() => loadAndReplay(withDtype({ kind: 'embedded', name }, dtype))}
        // Loading it again would only drop the edits: once loaded, the button says so.
        disabled={busy || loaded || loading}
        data-testid={testId}
        data-loaded={loaded}
      >
        {loaded ? `✓ ${name}${as} is loaded` : loading ? `Loading ${name}…` : `Load ${name}${as}`}
      </button>
    </div>
  );
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;

function HubTab() {
  const busy = useApp(selectBusy);
  const [repoId, setRepoId] = useState('openai-community/gpt2');
  const [file, setFile] = useState('');
  const [dtype, setDtype] = useState<WeightDtype>('f32');
  const gguf = file.trim();
  const fileValid =
    gguf === '' || (GGUF_FILE.test(gguf) && !gguf.split('/').some((p) => p === '..' || p === '.'));
  const valid = REPO_ID.test(repoId.trim()) && !repoId.includes('..') && fileValid;
  return (
    <form
      className="tab-body"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        const source = gguf
          ? { kind: 'hub' as const, repoId: repoId.trim(), file: gguf }
          : { kind: 'hub' as const, repoId: repoId.trim() };
        loadAndReplay(withDtype(source, dtype));
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
      {!REPO_ID.test(repoId.trim()) && repoId && (
        <p className="field-error">A repo id looks like “owner/name”: letters, digits, “-”, “_” and “.”.</p>
      )}
      <label className="field">
        <span>GGUF file in the repo (optional)</span>
        <input
          value={file}
          onChange={(e) => setFile(e.target.value)}
          maxLength={200}
          spellCheck={false}
          placeholder="Qwen3-1.7B-Q8_0.gguf"
          data-testid="hub-gguf-input"
          aria-invalid={!fileValid}
        />
      </label>
      {!fileValid && (
        <p className="field-error">A GGUF file name ends in “.gguf” (letters, digits, - _ . /).</p>
      )}
      <p className="muted">
        GPT-2, Llama, Qwen2 and Qwen3 checkpoints with model.safetensors and tokenizer.json, or one GGUF file
        of the repo. Downloads are cached by the browser.
      </p>
      <WeightChoiceField
        value={dtype}
        onChange={setDtype}
        choice={null}
        disabled={busy}
        testId="weights-hub"
      />
      <button type="submit" disabled={busy || !valid} data-testid="load-hub">
        Download and load
      </button>
    </form>
  );
}

function LocalTab() {
  const busy = useApp(selectBusy);
  const [problem, setProblem] = useState<string | null>(null);
  const [dtype, setDtype] = useState<WeightDtype>('f32');
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
      await loadAndReplay(withDtype({ kind: 'local', label: pick.folder.slice(0, 120) }, dtype), {
        config,
        safetensors,
        tokenizer,
      });
    } catch (e) {
      setProblem(`The files could not be read: ${(e as Error).message}`);
    }
  };
  return (
    <div className="tab-body">
      <WeightChoiceField
        value={dtype}
        onChange={setDtype}
        choice={null}
        disabled={busy}
        testId="weights-local"
      />
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
      <GgufPick
        disabled={busy}
        onProblem={setProblem}
        onFile={(f) =>
          loadAndReplay(withDtype({ kind: 'local', label: f.name.slice(0, 120) }, dtype), { gguf: f })
        }
      />
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
      <dl
        className="model-info"
        data-testid="model-info"
        data-model={i.name}
        data-dtype={i.weightDtype ?? 'f32'}
      >
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
        {i.weightOptions && (
          <div>
            <dt>Formats</dt>
            <dd data-testid="model-formats">{formatsLine(i)}</dd>
          </div>
        )}
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

/** "F32 file, 4.3 MB · 1.2 MB on the GPU (int8)": the stored format and what the loaded format costs. */
function weightsLine(i: ModelInfo): string {
  const file = i.dtype ? `${i.dtype} file${i.fileBytes ? `, ${formatBytes(i.fileBytes)}` : ''}` : null;
  const gpu = `${formatBytes(i.gpuWeightBytes ?? 4 * i.parameterCount)} on the GPU (${i.weightDtype ?? 'f32'})`;
  return file ? `${file} · ${gpu}` : gpu;
}

/** What the model would take in each format ("f32 4.5 MB · f16 2.3 MB · ..."), a refused one marked. */
function formatsLine(i: ModelInfo): string {
  return (i.weightOptions ?? [])
    .map((o) => `${o.dtype} ${formatBytes(o.weightBytes)}${o.fits ? '' : ' (does not fit)'}`)
    .join(' · ');
}

function formatCount(n: number): string {
  return n >= 1e9
    ? `${(n / 1e9).toFixed(1)}B`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(1)}M`
      : `${(n / 1e3).toFixed(0)}k`;
}
