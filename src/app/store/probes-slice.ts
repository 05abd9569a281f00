// Probes slice: the generalization and locality prompts the next edit is measured on, suggestions for them,
// and the pre-edit preview (top-k of the current model) shown before any edit. Probes are 'auto' (chosen for
// the draft's fact, replaced when it changes: see model/probe-plan.ts) or 'user' (written by hand, kept).

import type { StateCreator } from 'zustand';
import type { ProbeSuggestions } from '../model/facts.ts';
import { LIMITS } from '../permalink/schema.ts';
import type { AppState } from './index.ts';
import type { Preview, Probe, ProbeGroup } from './types.ts';

export interface ProbesSlice {
  probes: Record<ProbeGroup, Probe[]>;
  /** What the auto probes were chosen for (see ProbePlan.basis); null until the first plan. */
  probeBasis: string | null;
  /** A request for paraphrases when no known phrasing fits the draft's prompt. */
  probeAsk: string | null;
  suggestions: ProbeSuggestions | null;
  preview: Preview | null;
  /** Adds a hand-written probe; returns why it was refused, or null. */
  addProbe: (group: ProbeGroup, text: string) => string | null;
  updateProbe: (group: ProbeGroup, id: string, text: string) => void;
  removeProbe: (group: ProbeGroup, id: string) => void;
  /** A session's probes (a link, an import): their origin is settled by the next plan. */
  setProbes: (probes: { gen: string[]; loc: string[] }) => void;
  /** Replaces the probe lists wholesale (the follow-the-edit action). */
  replaceProbes: (probes: Record<ProbeGroup, NewProbe[]>, basis: string, ask: string | null) => void;
  setSuggestions: (s: ProbeSuggestions | null) => void;
  setPreview: (p: Preview | null) => void;
}

/** A probe to store; one that keeps its id keeps its card (and the focus in its input). */
export type NewProbe = Omit<Probe, 'id'> & { id?: string };

let nextProbe = 1;
const probe = ({ id, ...p }: NewProbe): Probe => ({ id: id ?? `p${nextProbe++}`, ...p });
const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/** Why a new probe is refused (duplicate, the edit prompt as a locality probe, full), or null. */
export function probeProblem(s: Pick<AppState, 'probes' | 'draft'>, group: ProbeGroup, text: string) {
  const t = norm(text);
  if (t === '') return 'Type a prompt first.';
  if (s.probes[group].length >= LIMITS.probesPerGroup)
    return `A group holds at most ${LIMITS.probesPerGroup} probes; remove one first.`;
  if (t === norm(s.draft.prompt))
    return group === 'loc'
      ? 'That is the edit prompt itself: it is meant to change, so it cannot test locality.'
      : 'That is the edit prompt itself: it is always measured; add another phrasing.';
  const other: ProbeGroup = group === 'gen' ? 'loc' : 'gen';
  if (s.probes[group].some((p) => norm(p.text) === t)) return 'That probe is already in the list.';
  if (s.probes[other].some((p) => norm(p.text) === t))
    return `That probe is already a ${other === 'gen' ? 'generalization' : 'locality'} probe.`;
  return null;
}

export const createProbesSlice: StateCreator<AppState, [], [], ProbesSlice> = (set, get) => ({
  probes: { gen: [], loc: [] },
  probeBasis: null,
  probeAsk: null,
  suggestions: null,
  preview: null,
  addProbe: (group, text) => {
    const problem = probeProblem(get(), group, text);
    if (problem) return problem;
    set((s) => ({
      probes: {
        ...s.probes,
        [group]: [
          ...s.probes[group],
          probe({ text: text.trim(), origin: 'user', forSubject: s.draft.subject }),
        ],
      },
      suggestions: s.suggestions && {
        ...s.suggestions,
        [group]: s.suggestions[group].filter((x) => x !== text.trim()),
      },
    }));
    return null;
  },
  // Editing an auto probe makes it the user's: it is kept when the fact changes.
  updateProbe: (group, id, text) =>
    set((s) => ({
      probes: {
        ...s.probes,
        [group]: s.probes[group].map((p) => (p.id === id ? { ...p, text, origin: 'user' as const } : p)),
      },
    })),
  removeProbe: (group, id) =>
    set((s) => ({ probes: { ...s.probes, [group]: s.probes[group].filter((p) => p.id !== id) } })),
  setProbes: ({ gen, loc }) =>
    set((s) => {
      const of = (text: string) => probe({ text, origin: 'user', forSubject: s.draft.subject });
      return { probes: { gen: gen.map(of), loc: loc.map(of) }, probeBasis: null, probeAsk: null };
    }),
  replaceProbes: (probes, basis, ask) =>
    set({
      probes: { gen: probes.gen.map(probe), loc: probes.loc.map(probe) },
      probeBasis: basis,
      probeAsk: ask,
    }),
  setSuggestions: (suggestions) => set({ suggestions }),
  setPreview: (preview) => set({ preview }),
});
