// The running engine task: its label, a progress bar (indeterminate when the engine gives no fraction) and
// Cancel when the task can be cancelled.

import { useApp } from '../store/index.ts';
import { cancelTask } from '../store/actions/edit.ts';
import type { EngineTask } from '../store/types.ts';

export function ProgressBar({ kinds, testId }: { kinds: EngineTask['kind'][]; testId: string }) {
  const task = useApp((s) => s.task);
  if (!task || !kinds.includes(task.kind)) return null;
  const fraction = task.progress?.fraction ?? null;
  return (
    <div className="progress" data-testid={testId} role="status" aria-live="polite">
      <div className="progress-label">
        <span>{task.progress?.stage ?? task.label}</span>
        {fraction !== null && <span className="progress-pct">{Math.round(fraction * 100)}%</span>}
      </div>
      <div className="progress-row">
        <div
          className={`progress-track${fraction === null ? ' indeterminate' : ''}`}
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
          aria-label={task.label}
        >
          <div
            className="progress-fill"
            style={fraction === null ? undefined : { width: `${fraction * 100}%` }}
          />
        </div>
        {task.cancellable && (
          <button
            className="btn-small"
            onClick={cancelTask}
            disabled={task.cancelling}
            data-testid="cancel-task"
          >
            {task.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
    </div>
  );
}
