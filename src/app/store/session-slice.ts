// Session slice: the edit being written (draft), per-method settings, the applied edits in order, which one
// the charts show, and the engine task in flight.

import type { StateCreator } from 'zustand';
import type { MethodName, MethodSettings } from '../../engine/types.ts';
import type { SessionDraft, SessionEdit } from '../permalink/schema.ts';
import type { AppState } from './index.ts';
import type { AppliedEdit, EngineTask } from './types.ts';

export interface SessionSlice {
  draft: { prompt: string; subject: string; target: string; method: MethodName };
  settings: Record<MethodName, MethodSettings>;
  edits: AppliedEdit[];
  selectedEditId: string | null;
  /** Edits from a link that are not applied yet (a local-folder model the user has to pick again). */
  pendingEdits: SessionEdit[];
  seed: number;
  task: EngineTask | null;
  editError: string | null;
  setDraft: (patch: Partial<SessionSlice['draft']>) => void;
  setSetting: (method: MethodName, key: keyof MethodSettings, value: number | undefined) => void;
  loadDraft: (draft: SessionDraft) => void;
  addEdit: (edit: AppliedEdit) => void;
  /** Keeps only the edits the engine still has (its answer to revert), in their order. */
  keepEdits: (remaining: readonly string[]) => void;
  selectEdit: (id: string | null) => void;
  setTask: (task: EngineTask | null) => void;
  patchTask: (patch: Partial<EngineTask>) => void;
  setEditError: (message: string | null) => void;
  setPendingEdits: (edits: SessionEdit[]) => void;
  setSeed: (seed: number) => void;
}

const noSettings = (): Record<MethodName, MethodSettings> => ({ ibke: {}, mend: {}, rome: {}, ft: {} });

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set) => ({
  draft: { prompt: '', subject: '', target: '', method: 'ibke' },
  settings: noSettings(),
  edits: [],
  selectedEditId: null,
  pendingEdits: [],
  seed: 0,
  task: null,
  editError: null,
  setDraft: (patch) => set((s) => ({ draft: { ...s.draft, ...patch }, editError: null })),
  setSetting: (method, key, value) =>
    set((s) => {
      const next = { ...s.settings[method] };
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
  addEdit: (edit) => set((s) => ({ edits: [...s.edits, edit], selectedEditId: edit.id })),
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
});
