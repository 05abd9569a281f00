// The sequential view's store against a fake engine: the run's points come from the worker (polled while it
// runs, the summary's curve at the end), Cancel keeps what was applied for Undo, Undo reports the worker's
// check, and nothing starts while another task holds the engine or a run is still applied.

import { describe, expect, it } from 'vitest';
import type { SequentialPoint } from '../../eval/sequential.ts';
import { CancelledError } from '../../worker/protocol.ts';
import type { UndoResult } from '../../worker/sequential.ts';
import {
  clampEdits,
  createSequentialStore,
  DEFAULT_EDITS,
  sequentialCheckpoints,
  type SequentialDeps,
} from './sequential.ts';

const point = (n: number): SequentialPoint => ({
  n,
  retention: 1 - n / 10,
  retentionExact: 1 - n / 10,
  generality: 0.5,
  generalityExact: 0.4,
  locality: 0.9,
  localitySameSubject: null,
  localitySameRelation: 0.9,
  unrelated: 0.95,
  unrelatedTrueProb: 0.7,
  updateSize: 0.1 * n,
});

/** A worker that applies one edit per `tick()`; the run resolves after `n` ticks, or rejects when aborted. */
function fakeEngine() {
  const calls: { name: string; payload: unknown }[] = [];
  let applied = 0;
  let points: SequentialPoint[] = [];
  let total = 0;
  let finish: (() => void) | null = null;
  let abort: (() => void) | null = null;
  const undo: UndoResult = {
    reverted: 0,
    probes: [
      { prompt: 'p', before: { token: ' a', id: 1, prob: 0.9 }, after: { token: ' a', id: 1, prob: 0.9 } },
    ],
    restored: true,
  };
  const engine = {
    call: (async (name: string, payload: Record<string, unknown>, opts?: { signal?: AbortSignal }) => {
      calls.push({ name, payload });
      if (name === 'sequentialStatus')
        return { running: finish !== null, done: applied, total, points, applied, dataset: 'test split' };
      if (name === 'sequentialUndo') {
        const r = { ...undo, reverted: applied };
        applied = 0;
        points = [];
        return r;
      }
      if (name === 'sequentialRun') {
        total = payload.n as number;
        return new Promise((resolve, reject) => {
          finish = () => {
            finish = null;
            resolve({
              summary: { edits: applied, failed: 0, curve: points, immediateReliability: 1 },
              dataset: 'test split',
            });
          };
          abort = () => {
            finish = null;
            reject(new CancelledError());
          };
          opts?.signal?.addEventListener('abort', () => abort?.());
        });
      }
      throw new Error(`unexpected call ${name}`);
    }) as unknown as ReturnType<SequentialDeps['engine']>['call'],
  };
  const tick = () => {
    applied++;
    points = [...points, point(applied)];
    if (applied === total) finish?.();
  };
  return { engine, calls, tick };
}

function setup(free = true) {
  const fake = fakeEngine();
  const log: string[] = [];
  const store = createSequentialStore({
    engine: () => fake.engine,
    begin: async (label) => {
      log.push(`begin ${label}`);
      return free;
    },
    progress: (label) => log.push(`progress ${label}`),
    end: () => log.push('end'),
    settings: () => ({ steps: 5 }),
    pollMs: 5,
  });
  return { ...fake, store, log };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('sequential store', () => {
  it('measures every edit up to 20, then sparser, always the last; clamps N', () => {
    expect(sequentialCheckpoints(3)).toEqual([1, 2, 3]);
    expect(sequentialCheckpoints(20)).toHaveLength(20);
    const long = sequentialCheckpoints(200);
    expect(long.slice(20, 26)).toEqual([25, 30, 35, 40, 45, 50]);
    expect(long.slice(-3)).toEqual([150, 175, 200]);
    expect(sequentialCheckpoints(33).at(-1)).toBe(33);
    expect([clampEdits(0), clampEdits(7.4), clampEdits(999), clampEdits(NaN)]).toEqual([
      1,
      7,
      200,
      DEFAULT_EDITS,
    ]);
  });

  it('runs N edits with the method and its settings, shows the points as they come, then the curve', async () => {
    const { store, tick, calls, log } = setup();
    store.getState().setN(3);
    store.getState().setMethod('ft');
    const run = store.getState().start();
    await settle();
    expect(store.getState().phase).toBe('running');
    tick();
    await settle();
    expect(store.getState().points.map((p) => p.n)).toEqual([1]); // polled while running
    tick();
    tick();
    await run;
    const s = store.getState();
    expect(s.phase).toBe('done');
    expect(s.points.map((p) => p.n)).toEqual([1, 2, 3]);
    expect(s.applied).toBe(3);
    const runCall = calls.find((c) => c.name === 'sequentialRun')!.payload as Record<string, unknown>;
    expect(runCall).toMatchObject({ method: 'ft', n: 3, checkpoints: [1, 2, 3], settings: { steps: 5 } });
    expect(log[0]).toBe('begin Sequential edits: 0/3');
    expect(log.at(-1)).toBe('end');
    // A second run waits for Undo: nothing is called.
    const before = calls.length;
    await store.getState().start();
    expect(calls.slice(before).some((c) => c.name === 'sequentialRun')).toBe(false);
  });

  it('cancel keeps the edits made so far (charted) and Undo takes them out with the check', async () => {
    const { store, tick } = setup();
    store.getState().setN(5);
    store.getState().setMethod('ibke');
    const run = store.getState().start();
    await settle();
    tick();
    tick();
    store.getState().cancel();
    expect(store.getState().phase).toBe('cancelling');
    await run;
    expect(store.getState().phase).toBe('cancelled');
    expect(store.getState().applied).toBe(2);
    expect(store.getState().points).toHaveLength(2);
    await store.getState().undo();
    const s = store.getState();
    expect(s.applied).toBe(0);
    expect(s.undone).toBe(true);
    expect(s.lastUndo).toMatchObject({ reverted: 2, restored: true });
  });

  it('starts nothing while another task holds the engine, or without a method', async () => {
    const busy = setup(false);
    busy.store.getState().setMethod('ft');
    await busy.store.getState().start();
    expect(busy.calls).toHaveLength(0);
    expect(busy.store.getState().phase).toBe('idle');
    const noMethod = setup();
    await noMethod.store.getState().start();
    expect(noMethod.log).toHaveLength(0);
  });
});
