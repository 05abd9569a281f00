// Loading models and whole sessions: from the link at boot, from an imported JSON file, or from the model
// picker. A session is replayed by loading its model and applying its edits in order (the engine starts
// from the original weights after every load).

import type { ModelSource } from '../../../engine/types.ts';
import { decodeHash } from '../../permalink/codec.ts';
import { modelDtype, type SessionDoc, type SessionModel } from '../../permalink/schema.ts';
import { defaultSession, preferredMethod } from '../../model/default-session.ts';
import { methodLabel } from '../../model/method-settings.ts';
import { selectBusy, useApp } from '../index.ts';
import { forgetEdits, recallEdit, rememberEdit } from '../edit-cache.ts';
import { beginTask, endTask, runEdit } from './edit.ts';
import { getEngine, isCancelled, messageOf } from './engine-ref.ts';
import { refreshPreview } from './preview.ts';
import { refreshProbes } from './probes.ts';

/** A local folder's three files, or one local GGUF file (sent to the worker as the File, read in slices there). */
export type LocalFiles = { config: string; safetensors: ArrayBuffer; tokenizer: string } | { gguf: File };

export const sameModel = (a: SessionModel, b: SessionModel) => JSON.stringify(a) === JSON.stringify(b);

/** Whether the engine still holds a model (a failed load may or may not have replaced the old one). */
async function engineHasModel(): Promise<boolean> {
  try {
    await getEngine().call('predict', { prompts: ['The'], k: 1 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads a model; the engine drops every edit. Resolves true when the model is ready. With `keepPrevious`
 * (the model picker), a failed load leaves the previous model and its edits in place when the engine still
 * has them; a session's load keeps the session's model source so its link is not rewritten.
 */
export async function loadModel(
  source: SessionModel,
  files?: LocalFiles,
  keepPrevious = false,
): Promise<boolean> {
  const s = useApp.getState();
  const ctrl = await beginTask({ kind: 'load', label: 'Loading the model…', cancellable: false });
  if (!ctrl) return false;
  const previous = { model: s.model, edits: s.edits, selectedEditId: s.selectedEditId };
  s.setModel({ status: 'loading', source, error: null, errorFor: undefined });
  s.keepEdits([]);
  s.setPreview(null);
  try {
    const { model } = await getEngine().call(
      'loadModel',
      { source: source as ModelSource, files, dtype: modelDtype(source) },
      {
        signal: ctrl.signal,
        onProgress: (progress) => useApp.getState().patchTask({ progress }),
        transfer: files && 'safetensors' in files ? [files.safetensors] : undefined,
      },
    );
    forgetEdits();
    useApp.getState().setModel({ status: 'ready', info: model });
    return true;
  } catch (e) {
    const message = messageOf(e);
    if (keepPrevious && previous.model.info && (await engineHasModel())) {
      useApp.setState({ edits: previous.edits, selectedEditId: previous.selectedEditId });
      useApp.getState().setModel({
        ...previous.model,
        error: `${message} The previous model stays loaded.`,
        errorFor: source.kind,
      });
    } else useApp.getState().setModel({ status: 'error', info: null, error: message, errorFor: source.kind });
    return false;
  } finally {
    endTask();
    refreshSuggestions();
  }
}

/**
 * Applies the pending edits in order. With `adaptMethod` (the default session only) an edit whose method the
 * model lacks uses the preferred one it has; a link's edits are never silently changed.
 */
export async function replayPending(adaptMethod = false): Promise<void> {
  const ctrl = await beginTask({ kind: 'replay', label: 'Replaying the session…', cancellable: true });
  if (!ctrl) return;
  try {
    for (;;) {
      const s = useApp.getState();
      const [next, ...rest] = s.pendingEdits;
      if (!next || ctrl.signal.aborted) break;
      const available = s.model.info?.methods ?? [];
      let method = next.method;
      if (!available.includes(method)) {
        const fallback = adaptMethod ? preferredMethod(available) : null;
        if (!fallback) {
          s.showBanner({
            id: 'replay',
            kind: 'error',
            message: `This model has no ${methodLabel(method)} editor${available.length ? ` (it has ${available.map(methodLabel).join(', ')})` : ' yet'}, so ${s.pendingEdits.length} edit(s) of this session were not applied.`,
          });
          break;
        }
        method = fallback;
        if (s.draft.method === next.method) s.setDraft({ method });
      }
      const total = s.edits.length + s.pendingEdits.length;
      s.patchTask({ label: `Applying edit ${s.edits.length + 1} of ${total} (${methodLabel(method)})…` });
      const { gen, loc, prompt, subject, target, settings } = next;
      const job = { request: { prompt, subject, target }, method, settings, gen, loc };
      const before = s.edits.map((e) => e.id);
      // The same edit on the same model state was applied in this tab before: put its patch back.
      const cached = recallEdit(before, { ...next, method });
      if (cached && (await restoreEdit(cached.id))) useApp.getState().addEdit(cached);
      else {
        const outcome = await runEdit(job, ctrl.signal);
        if (!outcome) break;
        const edit = { id: outcome.editId, ...job, outcome };
        useApp.getState().addEdit(edit);
        rememberEdit(before, edit);
      }
      useApp.getState().setPendingEdits(rest);
    }
  } catch (e) {
    if (!isCancelled(e))
      useApp.getState().showBanner({
        id: 'replay',
        kind: 'error',
        message: `Replaying the session stopped: ${messageOf(e)}`,
      });
  } finally {
    endTask();
  }
}

/** Asks the worker to re-apply a patch it kept (see worker/patch-shelf.ts); false when it no longer has it. */
async function restoreEdit(editId: string): Promise<boolean> {
  const { restored } = await getEngine().call('restoreEdits', { editIds: [editId] });
  return restored.includes(editId);
}

/** Puts a session's draft, probes and seed in the store and queues its edits. */
function adopt(doc: SessionDoc): void {
  const s = useApp.getState();
  s.loadDraft(doc.draft);
  s.setProbes(doc.probes);
  s.setSeed(doc.seed);
  s.setSampling(doc.sampling ?? { temperature: 0.8, topP: 0.95 });
  s.setPendingEdits(doc.edits);
  s.setModel({ source: doc.model });
}

/** Opens a session: loads its model (unless it is loaded already) and replays its edits. */
export async function openSession(doc: SessionDoc, isDefault = false): Promise<void> {
  const s = useApp.getState();
  if (selectBusy(s)) return;
  const alreadyLoaded = s.model.status === 'ready' && s.model.info && sameModel(s.model.source, doc.model);
  adopt(doc);
  if (doc.model.kind === 'local' && !alreadyLoaded) {
    s.showBanner({
      id: 'local-model',
      kind: 'info',
      message: `This session used the local folder “${doc.model.label}”, which a link cannot carry. Pick that folder under Model to replay its ${doc.edits.length} edit(s).`,
    });
    return;
  }
  if (alreadyLoaded) {
    if (!(await beginTask({ kind: 'reset', label: 'Restoring the original weights…', cancellable: false })))
      return;
    try {
      await getEngine().call('reset', {});
      useApp.getState().keepEdits([]);
    } finally {
      endTask();
    }
    refreshSuggestions();
  } else if (!(await loadModel(doc.model))) return;
  // The current model's readings first (one predict call), so the first chart does not wait for the edits to
  // be replayed (issue 14: first chart within 3 s of a cold load); the replay then shows the edited charts.
  if (useApp.getState().pendingEdits.length > 0) await refreshPreview();
  await replayPending(isDefault);
}

/** At startup: the session in the link, or the default session (with a banner when the link was bad). */
export async function bootFromLocation(hash: string): Promise<void> {
  let doc: SessionDoc | null = null;
  try {
    doc = await decodeHash(hash);
  } catch (e) {
    useApp.getState().showBanner({
      id: 'link',
      kind: 'link',
      message: `${messageOf(e)} The example session opened instead.`,
    });
  }
  await openSession(doc ?? defaultSession(), doc === null);
}

/** The probes and suggestions for the current draft (see ./probes.ts). */
export const refreshSuggestions = (): Promise<void> => refreshProbes();
