// "Sequential edits": the lifelong-editing view (issue 13). Applies N test edits of the loaded model one after
// another with the chosen method, never reverting, and charts retention of the earlier edits, generality and
// locality against N, measured by the same code as `npx editscope eval --sequential`. Cancel stops between
// edits (what was applied stays, and is charted); Undo takes the run's edits out and checks that the model
// answers as it did before the run. Closed by default; its body renders only when opened.

import { useEffect, useState } from 'react';
import { selectMethods, useApp } from '../store/index.ts';
import { MAX_EDITS, UNRELATED_FACTS, sequentialStore, useSequential } from '../store/sequential.ts';
import { methodLabel } from '../model/method-settings.ts';
import { SequentialChart } from './SequentialChart.tsx';

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)} %`;

function SequentialBody() {
  const s = useSequential((x) => x);
  const methods = useApp(selectMethods);
  const draftMethod = useApp((x) => x.draft.method);
  const otherTask = useApp(
    (x) => x.task !== null && x.task.kind !== 'preview' && x.task.kind !== 'sequential',
  );
  const [typed, setTyped] = useState(String(s.n));
  const method =
    s.method && methods.includes(s.method)
      ? s.method
      : methods.includes(draftMethod)
        ? draftMethod
        : methods[0];
  const running = s.phase === 'running' || s.phase === 'cancelling';
  const busy = running || s.phase === 'undoing';
  const start = () => {
    if (!method) return;
    s.setMethod(method);
    s.setN(Number(typed));
    setTyped(String(sequentialStore.getState().n));
    void s.start();
  };
  const undo = s.undone ? s.lastUndo : null;
  const sum = s.summary;
  return (
    <div className="sequential-body">
      <p className="muted">
        Applies the first N edits of {s.dataset || "this model's test split"} one after another without
        undoing any, then reads every earlier edit again (retention), its paraphrases (generality) and its
        locality probes and {UNRELATED_FACTS} unrelated facts against the unedited model (locality). Same
        metrics as <code>npx editscope eval --sequential</code>.
      </p>
      <div className="sequential-controls">
        <label>
          Edits (1–{MAX_EDITS}){' '}
          <input
            type="number"
            min={1}
            max={MAX_EDITS}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            disabled={busy || s.applied > 0}
            data-testid="sequential-n"
          />
        </label>{' '}
        <label>
          Method{' '}
          <select
            value={method ?? ''}
            onChange={(e) => s.setMethod(e.target.value as typeof method & string)}
            disabled={busy || s.applied > 0}
            data-testid="sequential-method"
          >
            {methods.map((m) => (
              <option key={m} value={m}>
                {methodLabel(m)}
              </option>
            ))}
          </select>
        </label>{' '}
        <button
          className="btn-small"
          onClick={start}
          disabled={busy || otherTask || s.applied > 0 || !method}
          data-testid="sequential-run"
        >
          Run
        </button>{' '}
        <button
          className="btn-small"
          onClick={() => s.cancel()}
          disabled={s.phase !== 'running'}
          data-testid="sequential-cancel"
        >
          Cancel
        </button>{' '}
        <button
          className="btn-small"
          onClick={() => void s.undo()}
          disabled={busy || otherTask || s.applied === 0}
          data-testid="sequential-undo"
        >
          Undo the run
        </button>
      </div>
      <p
        className="muted"
        role="status"
        data-testid="sequential-status"
        data-phase={s.phase}
        data-applied={s.applied}
      >
        {statusLine(s.phase, s.done, s.total, s.applied)}
      </p>
      {s.error && (
        <p className="error" role="alert" data-testid="sequential-error">
          {s.error}
        </p>
      )}
      {undo && (
        <p
          className={undo.restored ? 'muted' : 'error'}
          data-testid="sequential-restored"
          data-restored={undo.restored}
        >
          {undo.restored
            ? `Undone: ${undo.reverted} edits taken out; the model answers the run's first prompts as before (${undo.probes
                .map((p) => `"${p.after.token}" ${pct(p.after.prob)}`)
                .join(', ')}).`
            : `Undone: ${undo.reverted} edits taken out, but the model does not answer as before: ${undo.probes
                .map((p) => `"${p.before.token}" → "${p.after.token}"`)
                .join(', ')}. Reset the model to be sure.`}
        </p>
      )}
      {s.points.length > 0 && <SequentialChart points={s.points} />}
      {sum && (
        <p className="muted" data-testid="sequential-summary">
          {sum.edits} edits ({sum.failed} refused). Each edit right after it was made: reliability{' '}
          {pct(sum.immediateReliability)}; the unedited model on the same prompts: reliability{' '}
          {pct(sum.reliabilityFloor)}, generality {pct(sum.generalityFloor)}. Unrelated facts: p(true answer){' '}
          {pct(sum.unrelatedTrueProbBefore)} before, {pct(sum.curve.at(-1)?.unrelatedTrueProb)} after.
          {sum.curve.at(-1)?.updateSize != null &&
            ` ‖ΣΔW‖/‖W‖ ${sum.curve.at(-1)!.updateSize!.toFixed(3)} (largest edited matrix).`}{' '}
          Mean latency {sum.latencyMs === null ? '–' : `${Math.round(sum.latencyMs)} ms`}.
        </p>
      )}
    </div>
  );
}

function statusLine(phase: string, done: number, total: number, applied: number): string {
  switch (phase) {
    case 'running':
      return `Editing: ${done} of ${total} edits made…`;
    case 'cancelling':
      return 'Cancelling after the current edit…';
    case 'undoing':
      return 'Taking the run’s edits out…';
    case 'done':
      return `Done: ${applied} edits applied on top of your own. Undo the run to edit on as before.`;
    case 'cancelled':
      return `Cancelled: ${applied} edits applied (charted). Undo the run to edit on as before.`;
    case 'error':
      return applied > 0
        ? `Stopped: ${applied} edits applied. Undo the run to edit on as before.`
        : 'Stopped.';
    default:
      return applied > 0 ? `${applied} edits applied.` : 'No run yet.';
  }
}

export function SequentialPanel() {
  const ready = useApp((x) => x.model.status === 'ready');
  const modelName = useApp((x) => x.model.info?.name ?? null);
  const [open, setOpen] = useState(false);
  // Another model: the run's edits left with the old one.
  useEffect(() => sequentialStore.getState().clear(), [modelName]);
  if (!ready) return null;
  return (
    <details
      className="sequential"
      data-testid="sequential-panel"
      onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
    >
      <summary>Sequential edits (lifelong editing)</summary>
      {open && <SequentialBody />}
    </details>
  );
}
