// Applying, cancelling, undoing and resetting edits through the engine. The engine does one thing at a time;
// `task` in the store says what, and every button that starts another call is disabled meanwhile.
//
// Cancel: the client sends a cancel message; if the engine finishes anyway (the result was already on its
// way), the edit is reverted at once so the engine and the history never disagree.

import type { EditOutcome, EditRequest, MethodName, MethodSettings } from '../../../engine/types.ts';
import type { ProgressEvent } from '../../../worker/protocol.ts';
import type { EditFix } from '../../model/edit-fixes.ts';
import { methodLabel, settingsFor } from '../../model/method-settings.ts';
import { rememberEdit } from '../edit-cache.ts';
import { markHistoryStep } from '../permalink-sync.ts';
import { checkSubject } from '../../model/subject.ts';
import { useApp } from '../index.ts';
import { probeTexts, toSessionDoc } from '../session-doc.ts';
import type { EngineTask } from '../types.ts';
import { getEngine, isCancelled, messageOf } from './engine-ref.ts';

let controller: AbortController | null = null;

export interface EditJob {
  request: EditRequest;
  method: MethodName;
  settings: MethodSettings;
  gen: string[];
  loc: string[];
}

let previewRunning: Promise<unknown> | null = null;

/** The preview's predict call, as a task that any user action waits for instead of being refused. */
export async function previewTask<T>(run: () => Promise<T>): Promise<T | null> {
  if (useApp.getState().task) return null;
  useApp.getState().setTask({
    kind: 'preview',
    label: 'Reading the model…',
    progress: null,
    cancellable: false,
    cancelling: false,
  });
  const p = run();
  previewRunning = p;
  try {
    return await p;
  } finally {
    previewRunning = null;
    if (useApp.getState().task?.kind === 'preview') useApp.getState().setTask(null);
  }
}

/** Starts a task (after a running preview); null (and nothing started) when another task runs. */
export async function beginTask(
  task: Omit<EngineTask, 'progress' | 'cancelling'>,
): Promise<AbortController | null> {
  if (previewRunning) await previewRunning.catch(() => {});
  if (useApp.getState().task) return null;
  controller = new AbortController();
  useApp.getState().setTask({ ...task, progress: null, cancelling: false });
  return controller;
}

export function endTask(): void {
  controller = null;
  useApp.getState().setTask(null);
}

export function cancelTask(): void {
  if (!controller || !useApp.getState().task?.cancellable) return;
  controller.abort();
  useApp.getState().patchTask({ cancelling: true, label: 'Cancelling…' });
}

const onProgress = (progress: ProgressEvent) => useApp.getState().patchTask({ progress });

/**
 * One engine edit. Resolves to the outcome (the edit is applied), or null when it was cancelled (then nothing
 * stays applied). Other errors are thrown as the engine named them.
 */
export async function runEdit(job: EditJob, signal: AbortSignal): Promise<EditOutcome | null> {
  const engine = getEngine();
  try {
    const outcome = await engine.call('edit', job, { signal, onProgress });
    if (!signal.aborted) return outcome;
    await engine.call('revert', { editId: outcome.editId });
    return null;
  } catch (e) {
    if (isCancelled(e)) return null;
    throw e;
  }
}

/** The draft as an edit job, or a sentence saying what is missing. */
export function draftJob(): EditJob | { error: string } {
  const s = useApp.getState();
  const { prompt, subject, target, method } = s.draft;
  if (prompt.trim() === '') return { error: 'Type a prompt to complete, e.g. "The capital of France is".' };
  if (target.trim() === '') return { error: 'Type the new target, e.g. " Rome".' };
  const check = checkSubject(prompt, subject, target);
  if (!check.found) return { error: check.warnings[0] };
  if (s.model.info && !s.model.info.methods.includes(method))
    return { error: `This model has no ${methodLabel(method)} editor; pick another method.` };
  return {
    request: { prompt, subject, target },
    method,
    settings: settingsFor(method, s.settings[method]),
    ...probeTexts(s),
  };
}

export async function applyDraftEdit(): Promise<void> {
  const job = draftJob();
  if ('error' in job) return useApp.getState().setEditError(job.error);
  await applyJob(job);
}

/** Applies one edit job on top of the current edits; the result view shows it and gets the focus. */
export async function applyJob(job: EditJob): Promise<boolean> {
  const s = useApp.getState();
  const ctrl = await beginTask({
    kind: 'edit',
    label: `Editing with ${methodLabel(job.method)}…`,
    cancellable: true,
  });
  if (!ctrl) return false;
  s.setEditError(null);
  try {
    const before = useApp.getState().edits.map((e) => e.id);
    const outcome = await runEdit(job, ctrl.signal);
    if (!outcome) return false;
    markHistoryStep();
    const edit = { id: outcome.editId, ...job, outcome };
    useApp.getState().addEdit(edit);
    rememberEdit(before, edit);
    useApp.getState().setView('result');
    useApp.getState().requestFocus('result');
    return true;
  } catch (e) {
    useApp.getState().setEditError(messageOf(e));
    return false;
  } finally {
    endTask();
  }
}

/** A failed edit's suggested fix: undo it, put the fix's method and settings in the panel, apply again. */
export async function retryEdit(editId: string, fix: EditFix): Promise<void> {
  const edit = useApp.getState().edits.find((e) => e.id === editId);
  if (!edit) return;
  const { prompt, subject, target } = edit.outcome.request;
  const s = useApp.getState();
  s.loadDraft({ prompt, subject, target, method: fix.method, settings: fix.settings });
  if (!(await undoEdit(editId))) return;
  await applyJob({
    request: { prompt, subject, target },
    method: fix.method,
    settings: settingsFor(fix.method, fix.settings),
    gen: edit.gen,
    loc: edit.loc,
  });
}

export async function undoEdit(editId: string): Promise<boolean> {
  if (!(await beginTask({ kind: 'undo', label: 'Undoing the edit…', cancellable: false }))) return false;
  try {
    const { remaining } = await getEngine().call('revert', { editId });
    markHistoryStep();
    useApp.getState().keepEdits(remaining);
    return true;
  } catch (e) {
    useApp.getState().setEditError(messageOf(e));
    return false;
  } finally {
    endTask();
  }
}

/** Back to the original weights; the edits are kept aside so the reset itself can be undone. */
export async function resetModel(): Promise<void> {
  const saved = toSessionDoc(useApp.getState()).edits;
  if (!(await beginTask({ kind: 'reset', label: 'Restoring the original weights…', cancellable: false })))
    return;
  try {
    await getEngine().call('reset', {});
    markHistoryStep();
    useApp.getState().keepEdits([]);
    useApp.getState().setPendingEdits([]);
    useApp.getState().setUndoReset(saved.length ? saved : null);
  } catch (e) {
    useApp.getState().setEditError(messageOf(e));
  } finally {
    endTask();
  }
}
