// When the selected edit did not reach its target (the edit prompt does not give the new answer), say so at
// the top and offer what to try for that method, each fix one click away: it undoes the failed edit and
// applies it again with the setting changed (which also shows in the method panel).

import { useMemo } from 'react';
import { fixesFor } from '../model/edit-fixes.ts';
import type { EditView } from '../model/edit-view.ts';
import { formatProb } from '../model/chart-data.ts';
import { methodLabel } from '../model/method-settings.ts';
import { selectBusy, selectMethods, useApp } from '../store/index.ts';
import { retryEdit } from '../store/actions/edit.ts';
import type { AppliedEdit } from '../store/types.ts';
import { displayToken } from '../model/chart-data.ts';

export function EditFailure({ edit, view }: { edit: AppliedEdit; view: EditView }) {
  const available = useApp(selectMethods);
  const nLayer = useApp((s) => s.model.info?.nLayer ?? 0);
  const busy = useApp(selectBusy);
  const fixes = useMemo(
    () => fixesFor(edit.method, edit.settings, nLayer, available),
    [edit.method, edit.settings, nLayer, available],
  );
  if (view.prompt.success) return null;
  const t = view.prompt.target;
  const says = view.prompt.after[0]?.token;
  return (
    <div className="edit-failure" role="alert" data-testid="edit-failure">
      <p>
        <strong>The edit did not take.</strong> {methodLabel(edit.method)} left the model answering{' '}
        {says !== undefined ? <span className="tok">{displayToken(says)}</span> : 'something else'}
        {t ? ` (p(${displayToken(t.token)}) ${formatProb(t.probAfter)})` : ''} instead of the new target. Try:
      </p>
      <div className="fixes">
        {fixes.map((f) => (
          <button
            key={f.label}
            className="btn-small"
            title={f.why}
            disabled={busy}
            onClick={() => retryEdit(edit.id, f)}
            data-testid="edit-fix"
            data-method={f.method}
          >
            {f.label}
          </button>
        ))}
      </div>
    </div>
  );
}
