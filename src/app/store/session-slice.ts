// Session slice: the edit being written (draft), per-method settings, the applied edits in order, which one
// the charts show, and the engine task in flight.

import type { StateCreator } from 'zustand';
import type { MethodName, MethodSettings } from '../../engine/types.ts';
import type { SessionDraft, SessionEdit } from '../permalink/schema.ts';
import { methodLabel } from '../model/method-settings.ts';
import type { AppState } from './index.ts';
import type { AppliedEdit, EngineTask } from './types.ts';

export interface SessionSlice {
  draft: { prompt: string; subject: string; target: string; method: MethodName };
  settings: Partial<Record<MethodName, MethodSettings>>;
  edits: AppliedEdit[];
  selectedEditId: string | null;
  /** Edits from a link that are not applied yet (a local-folder model the user has to pick again). */
  pendingEdits: SessionEdit[];
  seed: number;
  /** The generation view's temperature and top-p (the seed is `seed`); in the link. */
  sampling: { temperature: number; topP: number };
  /** The edits a reset took away (as a session's edits), so the reset can be undone; null when none. */
  undoReset: SessionEdit[] | null;
  /** Every edit applied in this tab, id -> "France → Rome (IBKE)", to name undone ones in notices. */
  editLabels: Record<string, string>;
  task: EngineTask | null;
  editError: string | null;
  setDraft: (patch: Partial<SessionSlice['draft']>) => void;
  setSetting: (method: MethodName, key: keyof MethodSettings, value: number | undefined) => void;
  loadDraft: (draft: SessionDraft) => void;
  /** Adds an edit the engine applied on top of the current ones (its measurement state is recorded). */
  addEdit: (edit: Omit<AppliedEdit, 'measuredAt'>) => void;
  /** Replaces fields of one applied edit (a re-reading, a dropped probe). */
  patchEdit: (id: string, patch: Partial<AppliedEdit>) => void;
  /** Keeps only the edits the engine still has (its answer to revert), in their order. */
  keepEdits: (remaining: readonly string[]) => void;
  selectEdit: (id: string | null) => void;
  setTask: (task: EngineTask | null) => void;
  patchTask: (patch: Partial<EngineTask>) => void;
  setEditError: (message: string | null) => void;
  setPendingEdits: (edits: SessionEdit[]) => void;
  setSeed: (seed: number) => void;
  setUndoReset: (edits: SessionEdit[] | null) => void;
  setSampling: (patch: Partial<SessionSlice['sampling']>) => void;
}

// Partial: a method added to MethodName needs no entry here (a missing entry reads as "engine defaults").
const noSettings = (): Partial<Record<MethodName, MethodSettings>> => ({});

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set) => ({
  draft: { prompt: '', subject: '', target: '', method: 'ibke' },
  settings: noSettings(),
  edits: [],
  selectedEditId: null,
  pendingEdits: [],
  seed: 0,
  sampling: { temperature: 0.8, topP: 0.95 },
  undoReset: null,
  editLabels: {},
  task: null,
  editError: null,
  setDraft: (patch) => set((s) => ({ draft: { ...s.draft, ...patch }, editError: null })),
  setSetting: (method, key, value) =>
    set((s) => {
      const next = { ...(s.settings[method] ?? {}) };
      if (value === undefined) delete next[key];
      else next[key] = value;
      return { settings: { ...s.settings, [method]: next } };
    }),
  loadDraft: ({ prompt, subject, target, method, settings }) =>
    set((s) => ({
      draft: { prompt, subject, target, method },
      settings: { ...s.settings, [method]: { ...settings } },
      editError: null,
    })),
  addEdit: (edit) =>
    set((s) => ({
      edits: [...s.edits, { ...edit, measuredAt: [...s.edits.map((e) => e.id), edit.id] }],
      selectedEditId: edit.id,
      undoReset: null,
      editLabels: {
        ...s.editLabels,
        [edit.id]: `${edit.outcome.request.subject} →${edit.outcome.request.target} (${methodLabel(edit.method)})`,
      },
    })),
  patchEdit: (id, patch) =>
    set((s) => ({ edits: s.edits.map((e) => (e.id === id ? { ...e, ...patch } : e)) })),
  keepEdits: (remaining) =>
    set((s) => {
      const edits = s.edits.filter((e) => remaining.includes(e.id));
      const selected = edits.some((e) => e.id === s.selectedEditId)
        ? s.selectedEditId
        : (edits.at(-1)?.id ?? null);
      return { edits, selectedEditId: selected };
    }),
  selectEdit: (id) => set({ selectedEditId: id }),
  setTask: (task) => set({ task }),
  patchTask: (patch) => set((s) => (s.task ? { task: { ...s.task, ...patch } } : {})),
  setEditError: (message) => set({ editError: message }),
  setPendingEdits: (pendingEdits) => set({ pendingEdits }),
  setSeed: (seed) => set({ seed }),
  setUndoReset: (undoReset) => set({ undoReset }),
  setSampling: (patch) => set((s) => ({ sampling: { ...s.sampling, ...patch } })),
});
