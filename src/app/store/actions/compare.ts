// Compare: the draft edit with several methods, each on the same model state. History edits with the very same
// request are taken out first (otherwise every method would start from a model that already says " Rome"), then
// each run is edit (reads before/after, applies) -> revert, so every method starts from the same weights and
// every "before" is identical; the suspended edits go back at the end, leaving the history untouched. Runs go
// one after another (the engine does one thing at a time).

import { OFFERED_METHODS, type MethodName } from '../../../engine/types.ts';
import { settingsFor } from '../../model/method-settings.ts';
import { useApp } from '../index.ts';
import type { CompareRun } from '../types.ts';
import { beginTask, draftJob, endTask, runEdit } from './edit.ts';
import { getEngine, isCancelled, messageOf } from './engine-ref.ts';

export async function runCompare(): Promise<void> {
  const s = useApp.getState();
  const job = draftJob();
  if ('error' in job) return s.setEditError(job.error);
  const available = s.model.info?.methods ?? [];
  const methods = s.compare.methods;
  if (methods.length === 0) return s.setEditError('Tick at least one method to compare.');
  const ctrl = await beginTask({ kind: 'compare', label: 'Comparing methods…', cancellable: true });
  if (!ctrl) return;
  s.setView('compare');
  s.setCompareRuns(
    methods.map((method): CompareRun =>
      available.includes(method)
        ? { method, status: 'waiting' }
        : { method, status: 'skipped', error: `This model has no ${method.toUpperCase()} editor.` },
    ),
  );
  let suspended = false;
  try {
    await getEngine().call('suspendMatching', { request: job.request });
    suspended = true;
    for (const method of methods.filter((m) => available.includes(m))) {
      const patch = (p: Partial<CompareRun>) => useApp.getState().patchCompareRun(method, p);
      if (ctrl.signal.aborted) {
        patch({ status: 'skipped', error: 'Cancelled.' });
        continue;
      }
      useApp.getState().patchTask({ label: `Comparing: ${method.toUpperCase()}…`, progress: null });
      patch({ status: 'running' });
      try {
        const settings = settingsFor(method, useApp.getState().settings[method]);
        const outcome = await runEdit({ ...job, method, settings }, ctrl.signal);
        if (!outcome) {
          patch({ status: 'skipped', error: 'Cancelled.' });
          continue;
        }
        await getEngine().call('revert', { editId: outcome.editId });
        patch({ status: 'done', outcome });
      } catch (e) {
        if (isCancelled(e)) patch({ status: 'skipped', error: 'Cancelled.' });
        else patch({ status: 'failed', error: messageOf(e) });
      }
    }
  } finally {
    if (suspended)
      await getEngine()
        .call('resumeEdits', {})
        .catch((e: unknown) => useApp.getState().setEditError(messageOf(e)));
    endTask();
  }
}

export function toggleCompareMethod(method: MethodName, on: boolean): void {
  const s = useApp.getState();
  const next = new Set(s.compare.methods);
  if (on) next.add(method);
  else next.delete(method);
  s.setCompareMethods(OFFERED_METHODS.filter((m) => next.has(m)));
}
