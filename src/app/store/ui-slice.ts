// UI slice: which view the main area shows, the banners (link problems, device loss, errors), and the
// compare runs.

import type { StateCreator } from 'zustand';
import type { MethodName } from '../../engine/types.ts';
import type { AppState } from './index.ts';
import type { Banner, CompareRun } from './types.ts';

export interface UiSlice {
  view: 'result' | 'compare';
  banners: Banner[];
  compare: { methods: MethodName[]; runs: CompareRun[] };
  /** Where the keyboard focus should go next (the result after an edit); `n` makes each request new. */
  focus: { target: 'result'; n: number } | null;
  /** Presentation mode: larger fonts and bars for a projector. */
  presentation: boolean;
  requestFocus: (target: 'result') => void;
  setPresentation: (on: boolean) => void;
  setView: (view: UiSlice['view']) => void;
  /** Shows a banner; a banner with the same id replaces the old one. */
  showBanner: (banner: Banner) => void;
  dismissBanner: (id: string) => void;
  setCompareMethods: (methods: MethodName[]) => void;
  setCompareRuns: (runs: CompareRun[]) => void;
  patchCompareRun: (method: MethodName, patch: Partial<CompareRun>) => void;
}

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  view: 'result',
  banners: [],
  compare: { methods: ['ibke', 'mend', 'rome', 'ft'], runs: [] },
  focus: null,
  presentation: false,
  requestFocus: (target) => set((s) => ({ focus: { target, n: (s.focus?.n ?? 0) + 1 } })),
  setPresentation: (presentation) => set({ presentation }),
  setView: (view) => set({ view }),
  showBanner: (banner) => set((s) => ({ banners: [...s.banners.filter((b) => b.id !== banner.id), banner] })),
  dismissBanner: (id) => set((s) => ({ banners: s.banners.filter((b) => b.id !== id) })),
  setCompareMethods: (methods) => set((s) => ({ compare: { ...s.compare, methods } })),
  setCompareRuns: (runs) => set((s) => ({ compare: { ...s.compare, runs } })),
  patchCompareRun: (method, patch) =>
    set((s) => ({
      compare: {
        ...s.compare,
        runs: s.compare.runs.map((r) => (r.method === method ? { ...r, ...patch } : r)),
      },
    })),
});
