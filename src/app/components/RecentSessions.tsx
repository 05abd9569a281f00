// The last sessions saved in this browser (IndexedDB, see store/saved-sessions.ts), newest first, each with
// its edits and when it was saved; Open replays it (the current one stays saved too).

import { useEffect, useState } from 'react';
import { selectBusy, useApp } from '../store/index.ts';
import { openSession } from '../store/actions/session.ts';
import { markHistoryStep } from '../store/permalink-sync.ts';
import { listSessions, onSavedChange, recordId, type SavedSession } from '../store/saved-sessions.ts';
import { toSessionDoc } from '../store/session-doc.ts';

const SHOWN = 6;

function ago(t: number): string {
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString('en');
}

const modelName = ({ doc: { model: m } }: SavedSession) =>
  m.kind === 'hub' ? m.repoId : m.kind === 'local' ? m.label : m.name;

export function RecentSessions() {
  const [list, setList] = useState<SavedSession[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const busy = useApp(selectBusy);
  const currentId = useApp((s) => recordId(toSessionDoc(s)));
  useEffect(() => {
    const load = () =>
      listSessions().then(setList, (e: Error) => setProblem(`Saved sessions are unavailable: ${e.message}`));
    load();
    return onSavedChange(load);
  }, []);
  const others = (list ?? []).filter((r) => r.id !== currentId && r.edits > 0).slice(0, SHOWN);
  return (
    <section className="panel" aria-labelledby="recent-title" data-testid="recent-sessions">
      <h2 id="recent-title">Recent sessions</h2>
      {problem && <p className="muted">{problem}</p>}
      {!problem && others.length === 0 && (
        <p className="muted">
          Sessions with edits are saved in this browser as you work; earlier ones show here.
        </p>
      )}
      <ul className="recent">
        {others.map((r) => (
          <li key={r.id} data-testid="recent-item" data-edits={r.edits}>
            <span className="recent-text">
              <span className="recent-title">{r.title}</span>
              <span className="muted small">
                {r.edits} edit(s) · {modelName(r)} · {ago(r.savedAt)}
              </span>
            </span>
            <button
              className="btn-small"
              disabled={busy}
              onClick={() => {
                markHistoryStep();
                void openSession(r.doc);
              }}
              aria-label={`Open the session ${r.title}`}
              data-testid="recent-open"
            >
              Open
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
