// History actions beyond one edit: re-reading an edit's probes on the model as it is now (after an undo
// elsewhere), and undoing a reset (its edits are replayed in order).

import { CHART_TOP_K } from '../../model/chart-data.ts';
import { useApp } from '../index.ts';
import { markHistoryStep } from '../permalink-sync.ts';
import { beginTask, endTask } from './edit.ts';
import { getEngine, messageOf } from './engine-ref.ts';
import { replayPending } from './session.ts';

export async function rereadEdit(editId: string): Promise<void> {
  const edit = useApp.getState().edits.find((e) => e.id === editId);
  if (!edit) return;
  if (!(await beginTask({ kind: 'reread', label: 'Reading the current model…', cancellable: false }))) return;
  try {
    const o = edit.outcome;
    const at = useApp.getState().edits.map((e) => e.id);
    const result = await getEngine().call('measure', {
      request: o.request,
      gen: o.gen.map((r) => r.text),
      loc: o.loc.map((r) => r.text),
      // A locality probe passes when it still gives its pre-edit answer (its top token before the edit).
      locAnswers: o.loc.map((r) => (r.before[0] ? [r.before[0].id] : [])),
      k: CHART_TOP_K,
    });
    useApp.getState().patchEdit(editId, { reread: { at, result } });
  } catch (e) {
    useApp.getState().setEditError(messageOf(e));
  } finally {
    endTask();
  }
}

export async function undoReset(): Promise<void> {
  const s = useApp.getState();
  if (!s.undoReset) return;
  markHistoryStep();
  s.setPendingEdits([...s.undoReset, ...s.pendingEdits]);
  s.setUndoReset(null);
  await replayPending();
}

/** Drops a measured probe from one edit's cards and metrics. */
export function dropProbe(editId: string, group: 'gen' | 'loc', text: string): void {
  const edit = useApp.getState().edits.find((e) => e.id === editId);
  if (!edit) return;
  const dropped = { ...edit.dropped, [group]: [...(edit.dropped?.[group] ?? []), text] };
  useApp.getState().patchEdit(editId, { dropped });
}
