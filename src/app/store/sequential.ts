// The sequential (lifelong) view's store: N test edits applied in turn by the worker (src/worker/sequential.ts,
// the same runSequential as `editscope eval --sequential`), the curve points polled while it runs, Cancel
// (the edits made so far stay applied, so the chart keeps them and Undo can take them out) and Undo (the model
// back to its state before the run). Its own small zustand store: the run is not part of the session document
// or the link. While it runs it holds the app's engine task, so no other edit starts meanwhile.

import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { MethodName, MethodSettings } from '../../engine/types.ts';
import type { SequentialPoint } from '../../eval/sequential.ts';
import type { SequentialSummary } from '../../engine/sequential-run.ts';
import type { EngineClient } from '../../worker/client.ts';
import type { UndoResult } from '../../worker/sequential.ts';
import { settingsFor } from '../model/method-settings.ts';
import { beginTask, endTask } from './actions/edit.ts';
import { getEngine, isCancelled, messageOf } from './actions/engine-ref.ts';
import { useApp } from './index.ts';

export const DEFAULT_EDITS = 20;
export const MAX_EDITS = 200;
/** Unrelated facts read for locality at each point. */
export const UNRELATED_FACTS = 50;

export type SequentialPhase = 'idle' | 'running' | 'cancelling' | 'done' | 'cancelled' | 'error' | 'undoing';

export interface SequentialState {
  n: number;
  method: MethodName | null;
  phase: SequentialPhase;
  done: number;
  total: number;
  points: SequentialPoint[];
  /** Edits of the run still applied on the model (what Undo takes out). */
  applied: number;
  summary: SequentialSummary | null;
  dataset: string;
  error: string | null;
  /** True once Undo returned the model to its state before the run. */
  undone: boolean;
  /** What the last Undo checked (the run's first prompts before the run and after the undo). */
  lastUndo: UndoResult | null;
}

export interface SequentialActions {
  setN(n: number): void;
  setMethod(m: MethodName): void;
  start(): Promise<void>;
  cancel(): void;
  undo(): Promise<void>;
  /** Forget the run (another model was loaded: its edits went with the old model). */
  clear(): void;
}

/** What the store needs from the app: the engine, the app-wide task lock and the method's settings. */
export interface SequentialDeps {
  engine: () => Pick<EngineClient, 'call'>;
  /** Takes the app's engine task; false when another task runs (then nothing starts). */
  begin: (label: string) => Promise<boolean>;
  progress: (label: string) => void;
  end: () => void;
  settings: (m: MethodName) => MethodSettings;
  pollMs: number;
}

/** Edit counts the curve is measured at: every edit up to 20, then every 5 to 50, 10 to 100, 25 beyond. */
export function sequentialCheckpoints(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= n; k++)
    if (k <= 20 || (k <= 50 && k % 5 === 0) || (k <= 100 && k % 10 === 0) || k % 25 === 0) out.push(k);
  if (out.at(-1) !== n && n > 0) out.push(n);
  return out;
}

/** A number typed in the N box, clamped to 1 … MAX_EDITS (a non-number keeps the default). */
export function clampEdits(x: number): number {
  if (!Number.isFinite(x)) return DEFAULT_EDITS;
  return Math.min(MAX_EDITS, Math.max(1, Math.round(x)));
}

const initial = (): SequentialState => ({
  n: DEFAULT_EDITS,
  method: null,
  phase: 'idle',
  done: 0,
  total: 0,
  points: [],
  applied: 0,
  summary: null,
  dataset: '',
  error: null,
  undone: false,
  lastUndo: null,
});

export function createSequentialStore(deps: SequentialDeps): StoreApi<SequentialState & SequentialActions> {
  let controller: AbortController | null = null;
  return createStore<SequentialState & SequentialActions>()((set, get) => {
    /** The worker's view of the run (points so far, edits applied); never throws. */
    const refresh = async () => {
      const st = await deps
        .engine()
        .call('sequentialStatus', {})
        .catch(() => null);
      if (st) set({ points: st.points, done: st.done, applied: st.applied, dataset: st.dataset });
      return st;
    };
    return {
      ...initial(),
      setN: (n) => set({ n: clampEdits(n) }),
      setMethod: (method) => set({ method }),
      clear: () => set({ ...initial(), n: get().n, method: get().method }),
      async start() {
        const { n, method, phase, applied } = get();
        if (!method || phase === 'running' || phase === 'cancelling' || phase === 'undoing' || applied > 0)
          return;
        if (!(await deps.begin(`Sequential edits: 0/${n}`))) return;
        const ctrl = new AbortController();
        controller = ctrl;
        set({ ...initial(), n, method, phase: 'running', total: n });
        const timer = setInterval(() => {
          void refresh().then((st) => {
            if (st && controller === ctrl) deps.progress(`Sequential edits: ${st.done}/${st.total}`);
          });
        }, deps.pollMs);
        try {
          const { summary, dataset } = await deps.engine().call(
            'sequentialRun',
            {
              method,
              settings: deps.settings(method),
              n,
              checkpoints: sequentialCheckpoints(n),
              unrelated: UNRELATED_FACTS,
            },
            { signal: ctrl.signal },
          );
          set({ phase: 'done', summary, dataset, points: summary.curve, applied: summary.edits, done: n });
        } catch (e) {
          const cancelled = isCancelled(e);
          set({ phase: cancelled ? 'cancelled' : 'error', error: cancelled ? null : messageOf(e) });
          await refresh();
        } finally {
          clearInterval(timer);
          controller = null;
          deps.end();
        }
      },
      cancel() {
        if (!controller || get().phase !== 'running') return;
        controller.abort();
        set({ phase: 'cancelling' });
      },
      async undo() {
        const { phase } = get();
        if (phase === 'running' || phase === 'cancelling' || phase === 'undoing') return;
        if (!(await deps.begin('Undoing the sequential edits…'))) return;
        set({ phase: 'undoing', error: null });
        try {
          const lastUndo = await deps.engine().call('sequentialUndo', {});
          set({ phase: 'idle', applied: 0, undone: true, lastUndo });
        } catch (e) {
          set({ phase: 'error', error: messageOf(e) });
        } finally {
          deps.end();
        }
      },
    };
  });
}

/** The app's instance: the worker's engine, the app's task lock and the settings the edit panel holds. */
export const sequentialStore = createSequentialStore({
  engine: getEngine,
  async begin(label) {
    return (await beginTask({ kind: 'sequential', label, cancellable: false })) !== null;
  },
  progress: (label) => useApp.getState().patchTask({ label }),
  end: endTask,
  settings: (m) => settingsFor(m, useApp.getState().settings[m]),
  pollMs: 500,
});

export function useSequential<T>(select: (s: SequentialState & SequentialActions) => T): T {
  return useStore(sequentialStore, select);
}
