// The worker side of the playground's sequential (lifelong) view: N test edits of the loaded model applied in
// turn, never reverted, measured by the same code as `editscope eval --sequential`
// (src/engine/sequential-run.ts → src/eval/sequential.ts). The run's curve points are kept here and read
// by `sequentialStatus` while the run goes on (the UI polls; a progress event carries no data), and the run's
// edit ids are kept so `sequentialUndo` returns the model to its state before the run, after a finish or a
// cancel alike. The user's own edits are never touched.

import { runSequentialOnSession, type SequentialSummary } from '../engine/sequential-run.ts';
import { gunzip, isGzip } from '../editors/training/dataset-file.ts';
import type { EngineHost } from '../engine/host.ts';
import type { EditSession } from '../engine/session.ts';
import type { MethodName, MethodSettings, TokenProb } from '../engine/types.ts';
import { readEditCases } from '../eval/datasets/index.ts';
import type { SequentialPoint } from '../eval/sequential.ts';
import type { EditCase } from '../eval/types.ts';
import { fetchShippedDataset } from './training.ts';

/** A test split an embedded model ships next to its weights (gzip EasyEdit JSON). */
export const MODEL_TEST_SET = 'edits-test.json.gz';
export const MAX_SEQUENTIAL_EDITS = 200;

export interface SequentialInput {
  method: MethodName;
  settings: MethodSettings;
  /** Edits to apply, 1 … MAX_SEQUENTIAL_EDITS (fewer when the test set is smaller). */
  n: number;
  /** Edit counts after which the curve is measured (the last edit is always measured). */
  checkpoints: number[];
  /** Unrelated facts read for locality (cases after the edited ones). */
  unrelated: number;
}

export interface SequentialStatus {
  running: boolean;
  done: number;
  total: number;
  points: SequentialPoint[];
  /** Edits of the last run still applied (what Undo takes out). */
  applied: number;
  /** Where the edits came from, as a phrase. */
  dataset: string;
}

export interface SequentialCalls {
  sequentialRun: [SequentialInput, { summary: SequentialSummary; dataset: string }];
  sequentialStatus: [Record<string, never>, SequentialStatus];
  sequentialUndo: [Record<string, never>, UndoResult];
}

/** What Undo checked: the run's first prompts answered by the model before the run and after the undo. */
export interface UndoResult {
  reverted: number;
  probes: { prompt: string; before: TokenProb; after: TokenProb }[];
  /** Every probe's top token the same and its probability within 1e-4: the model is as before the run. */
  restored: boolean;
}

type Tools = { checkCancelled: () => void };

/** Prompts read before the run and after Undo (a cheap check that Undo restored the model). */
const CHECK_PROMPTS = 3;

interface RunState {
  session: EditSession;
  running: boolean;
  done: number;
  total: number;
  points: SequentialPoint[];
  editIds: string[];
  dataset: string;
  before: { prompt: string; top: TokenProb }[];
}

/**
 * Gzip bytes inflated; bytes that are not gzip are used as they are: a static server may send a .gz file with
 * Content-Encoding: gzip (vite preview does), and then the browser has inflated it already.
 */
async function casesFrom(bytes: Uint8Array, name: string): Promise<EditCase[]> {
  return readEditCases(isGzip(bytes) ? await gunzip(bytes, name) : bytes, name);
}

/** The model's own test split, else the CounterFact split shipped with the app. */
async function testCases(host: EngineHost): Promise<{ cases: EditCase[]; dataset: string }> {
  const own = await host.loadedSource?.editorFiles(MODEL_TEST_SET).catch(() => null);
  // A dev server may answer a missing file with its HTML page: then the shipped split is used.
  const mine = own ? await casesFrom(own, MODEL_TEST_SET).catch(() => null) : null;
  if (mine && mine.length > 0) return { cases: mine, dataset: `this model's test split (${MODEL_TEST_SET})` };
  const shipped = await fetchShippedDataset();
  return {
    cases: await casesFrom(shipped.bytes, shipped.name),
    dataset: `the CounterFact split shipped with the app (${shipped.name})`,
  };
}

export function sequentialHandlers(host: EngineHost) {
  let run: RunState | null = null;
  const live = () => (run && run.session === host.current ? run : null);
  return {
    sequentialRun: async (input: SequentialInput, { checkCancelled }: Tools) => {
      if (run?.running) throw new Error('A sequential run is already going; cancel it first.');
      if (live()?.editIds.length)
        throw new Error('The last sequential run is still applied; undo it before starting another.');
      if (!Number.isInteger(input.n) || input.n < 1 || input.n > MAX_SEQUENTIAL_EDITS)
        throw new RangeError(`The number of edits must be a whole number from 1 to ${MAX_SEQUENTIAL_EDITS}.`);
      const session = host.current;
      const { cases, dataset } = await testCases(host);
      if (cases.length === 0) throw new Error(`No edits in ${dataset}.`);
      const edited = cases.slice(0, input.n);
      const checks = edited.slice(0, CHECK_PROMPTS).map((c) => c.prompt);
      const before = (await session.predict(checks, 1)).map((r) => ({ prompt: r.prompt, top: r.top[0] }));
      const state: RunState = {
        session,
        running: true,
        done: 0,
        total: edited.length,
        points: [],
        editIds: [],
        dataset,
        before,
      };
      run = state;
      try {
        const summary = await runSequentialOnSession(session, input.method, edited, cases.slice(input.n), {
          unrelated: input.unrelated,
          checkpoints: input.checkpoints,
          settings: input.settings,
          edit: (e) => host.edit(e),
          onEdit: (i) => {
            checkCancelled(); // between edits: a cancel stops here, the edits made so far stay for Undo
            state.done = i;
          },
          onApplied: (id) => state.editIds.push(id),
          onPoint: (p) => state.points.push(p),
        });
        state.done = edited.length;
        return { summary, dataset };
      } finally {
        state.running = false;
      }
    },
    sequentialStatus: async (): Promise<SequentialStatus> => {
      const r = live();
      return {
        running: r?.running ?? false,
        done: r?.done ?? 0,
        total: r?.total ?? 0,
        points: r?.points ?? [],
        applied: r?.editIds.length ?? 0,
        dataset: r?.dataset ?? '',
      };
    },
    sequentialUndo: async (): Promise<UndoResult> => {
      const r = live();
      if (r?.running) throw new Error('The sequential run is still going; cancel it first.');
      run = null;
      if (!r) return { reverted: 0, probes: [], restored: true };
      let reverted = 0;
      const present = new Set(host.current.stack.patches.map((p) => p.id));
      for (const id of [...r.editIds].reverse())
        if (present.has(id)) {
          host.revert(id);
          reverted++;
        }
      const now = await host.current.predict(
        r.before.map((b) => b.prompt),
        1,
      );
      const probes = r.before.map((b, i) => ({ prompt: b.prompt, before: b.top, after: now[i].top[0] }));
      const restored = probes.every(
        (p) => p.before.id === p.after.id && Math.abs(p.before.prob - p.after.prob) < 1e-4,
      );
      return { reverted, probes, restored };
    },
  };
}
