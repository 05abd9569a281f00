// The one store, in slices (zustand's slices pattern). Components read it through narrow selectors
// (`useApp((s) => s.draft.prompt)`); engine calls live in ./actions/, not in components.

import { create } from 'zustand';
import type { MethodName } from '../../engine/types.ts';
import { createModelSlice, type ModelSlice } from './model-slice.ts';
import { createProbesSlice, type ProbesSlice } from './probes-slice.ts';
import { createSessionSlice, type SessionSlice } from './session-slice.ts';
import { createTrainingSlice, type TrainingSlice } from './training-slice.ts';
import { createUiSlice, type UiSlice } from './ui-slice.ts';

export type AppState = ModelSlice & SessionSlice & ProbesSlice & UiSlice & TrainingSlice;

export const useApp = create<AppState>()((...a) => ({
  ...createModelSlice(...a),
  ...createSessionSlice(...a),
  ...createProbesSlice(...a),
  ...createUiSlice(...a),
  ...createTrainingSlice(...a),
}));

/** The edit whose readings the main area shows, or null. */
export const selectSelectedEdit = (s: AppState) => s.edits.find((e) => e.id === s.selectedEditId) ?? null;

/** True while a user-visible engine task runs (the quiet preview read does not count). */
export const selectBusy = (s: AppState) => s.task !== null && s.task.kind !== 'preview';

// Selectors must return stable values (zustand v5 re-renders on every new reference): shared empty lists.
const NO_METHODS: readonly MethodName[] = [];
const NO_SUGGESTIONS: readonly string[] = [];

export const selectMethods = (s: AppState) => s.model.info?.methods ?? NO_METHODS;
export const selectSuggestions = (group: 'gen' | 'loc') => (s: AppState) =>
  s.suggestions?.[group] ?? NO_SUGGESTIONS;
