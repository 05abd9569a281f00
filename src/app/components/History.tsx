// The applied edits in order: select one to see its charts, undo any of them (the engine reverts exactly that
// patch; the others stay), or reset to the original model. Edits a link brought but could not apply yet are
// listed too, with a button to replay them.

import { describeSettings, methodLabel } from '../model/method-settings.ts';
import { formatLatency } from '../model/chart-data.ts';
import { selectBusy, useApp } from '../store/index.ts';
import { resetModel, undoEdit } from '../store/actions/edit.ts';
import { undoReset } from '../store/actions/history.ts';
import { replayPending } from '../store/actions/session.ts';

export function History() {
  const edits = useApp((s) => s.edits);
  const pending = useApp((s) => s.pendingEdits);
  const selected = useApp((s) => s.selectedEditId);
  const select = useApp((s) => s.selectEdit);
  const busy = useApp(selectBusy);
  const ready = useApp((s) => s.model.status === 'ready');
  const undoable = useApp((s) => s.undoReset);

  return (
    <section className="panel" aria-labelledby="history-title" data-testid="history">
      <div className="panel-head">
        <h2 id="history-title">History</h2>
        <button
          className="btn-small"
          onClick={resetModel}
          disabled={busy || !ready || edits.length === 0}
          data-testid="reset-model"
        >
          Reset to original
        </button>
      </div>
      {undoable && (
        <div className="pending" data-testid="reset-undo">
          <p className="muted">Reset: {undoable.length} edit(s) were taken off.</p>
          <button
            className="btn-small"
            onClick={undoReset}
            disabled={busy || !ready}
            data-testid="undo-reset"
          >
            Undo reset
          </button>
        </div>
      )}
      {edits.length === 0 && pending.length === 0 && !undoable && (
        <p className="muted">No edits yet: the model is as it was trained.</p>
      )}
      <ol className="history">
        {edits.map((e, i) => (
          <li
            key={e.id}
            className={`history-item${e.id === selected ? ' selected' : ''}`}
            data-testid="history-item"
            data-edit-id={e.id}
            data-method={e.method}
          >
            <button className="history-main" onClick={() => select(e.id)} aria-pressed={e.id === selected}>
              <span className="history-index">{i + 1}</span>
              <span className="history-text">
                <span className="history-fact">
                  {e.outcome.request.subject}: <span className="tok">{e.outcome.request.target.trim()}</span>
                </span>
                <span className="history-meta">
                  {methodLabel(e.method)} · {describeSettings(e.method, e.settings)} ·{' '}
                  {formatLatency(e.outcome.latencyMs)}
                </span>
              </span>
            </button>
            <button
              className="btn-small"
              onClick={() => undoEdit(e.id)}
              disabled={busy}
              data-testid="undo-edit"
              aria-label={`Undo edit ${i + 1}`}
            >
              Undo
            </button>
          </li>
        ))}
      </ol>
      {pending.length > 0 && (
        <div className="pending" data-testid="pending-edits">
          <p className="muted">{pending.length} edit(s) from the session are not applied yet.</p>
          <button className="btn-small" onClick={() => replayPending()} disabled={busy || !ready}>
            Apply them
          </button>
        </div>
      )}
    </section>
  );
}
