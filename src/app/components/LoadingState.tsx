// What is happening while the page gets ready: loading the model (with its progress), then applying the
// session's edits, so the first seconds are never a blank page.

import { useApp } from '../store/index.ts';

export function LoadingState() {
  const status = useApp((s) => s.model.status);
  const task = useApp((s) => s.task);
  const edits = useApp((s) => s.edits.length);
  const pending = useApp((s) => s.pendingEdits.length);
  const loading = status === 'idle' || status === 'loading';
  const replaying = task?.kind === 'replay' && edits === 0;
  if (!loading && !replaying) return null;
  const steps = [
    { label: 'Start the WebGPU engine', done: status !== 'idle' },
    { label: 'Load the model', done: status === 'ready', now: task?.progress?.stage },
    { label: pending ? `Apply the session’s ${pending} edit(s)` : 'Read the model', done: false },
  ];
  return (
    <div className="loading-state" role="status" aria-live="polite" data-testid="loading-state">
      <strong>Getting ready…</strong>
      <ol>
        {steps.map((s, i) => (
          <li key={i} className={s.done ? 'done' : ''}>
            {s.done ? '✓ ' : ''}
            {s.label}
            {!s.done && s.now ? `: ${s.now}` : ''}
          </li>
        ))}
      </ol>
    </div>
  );
}
