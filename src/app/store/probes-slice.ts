// Probes slice: the generalization and locality prompts the next edit is measured on, suggestions for them,
// and the pre-edit preview (top-k of the current model) shown before any edit.

import type { StateCreator } from 'zustand';
import type { ProbeSuggestions } from '../model/facts.ts';
import type { AppState } from './index.ts';
import type { Preview, Probe, ProbeGroup } from './types.ts';

export interface ProbesSlice {
  probes: Record<ProbeGroup, Probe[]>;
  suggestions: ProbeSuggestions | null;
  preview: Preview | null;
  addProbe: (group: ProbeGroup, text: string) => void;
  updateProbe: (group: ProbeGroup, id: string, text: string) => void;
  removeProbe: (group: ProbeGroup, id: string) => void;
  setProbes: (probes: { gen: string[]; loc: string[] }) => void;
  setSuggestions: (s: ProbeSuggestions | null) => void;
  setPreview: (p: Preview | null) => void;
}

let nextProbe = 1;
const probe = (text: string): Probe => ({ id: `p${nextProbe++}`, text });

export const createProbesSlice: StateCreator<AppState, [], [], ProbesSlice> = (set) => ({
  probes: { gen: [], loc: [] },
  suggestions: null,
  preview: null,
  addProbe: (group, text) =>
    set((s) => ({
      probes: { ...s.probes, [group]: [...s.probes[group], probe(text)] },
      suggestions: s.suggestions && {
        ...s.suggestions,
        [group]: s.suggestions[group].filter((x) => x !== text),
      },
    })),
  updateProbe: (group, id, text) =>
    set((s) => ({
      probes: { ...s.probes, [group]: s.probes[group].map((p) => (p.id === id ? { ...p, text } : p)) },
    })),
  removeProbe: (group, id) =>
    set((s) => ({ probes: { ...s.probes, [group]: s.probes[group].filter((p) => p.id !== id) } })),
  setProbes: ({ gen, loc }) => set({ probes: { gen: gen.map(probe), loc: loc.map(probe) } }),
  setSuggestions: (suggestions) => set({ suggestions }),
  setPreview: (preview) => set({ preview }),
});
