// The panel's worker calls (training-calls.ts) on a tiny GPT-2, a Map in place of OPFS: the defaults are
// trainingSettings' (the CLI's), a paused run is reported as saved and resumed with its saved settings and file
// (a closed tab), the finished editor exports with this model's fingerprint, another model refuses it with a
// sentence before anything is installed, the same model takes it, and "start over" deletes the saved run.

import { expect, it } from 'vitest';
import { acquireNodeDevice } from '../gpu/node.ts';
import { serializeCheckpoint } from '../model/checkpoint.ts';
import { GPT2_PRESETS } from '../model/config.ts';
import { tinyCheckpoint } from '../model/testing.ts';
import { EngineHost, type LoadedSource } from '../engine/host.ts';
import { modelFingerprint } from '../editors/hyper/fingerprint.ts';
import { trainingSettings } from '../editors/training/options.ts';
import { trainingHandlers } from './training-calls.ts';
import type { CheckpointStore } from './training.ts';

const WORDS = ['paris', 'rome', 'oslo', 'lima', 'kiev', 'doha'];
const RECORDS = WORDS.map((w, i) => ({
  case_id: `e${i}`,
  prompt: `the capital of ${w}land is`,
  subject: `${w}land`,
  target_new: WORDS[(i + 1) % 6],
  ground_truth: 'bern',
  rephrase_prompts: [`${w}land has the capital`],
  locality: {
    neighborhood: [{ prompt: `the capital of ${WORDS[(i + 3) % 6]}ia is`, ground_truth: ' bern' }],
  },
}));
const BYTES = new TextEncoder().encode(JSON.stringify(RECORDS));
const source = (seed: number): LoadedSource => ({
  source: { kind: 'local', label: `tiny${seed}` },
  name: `tiny${seed}`,
  files: serializeCheckpoint(tinyCheckpoint(GPT2_PRESETS.tiny, seed)),
  editorFiles: async () => null,
});
const memoryStore = (): CheckpointStore => {
  const saved = new Map<string, Uint8Array>();
  return {
    read: async (n) => saved.get(n) ?? null,
    write: async (n, b) => void saved.set(n, b.slice()),
    remove: async (n) => void saved.delete(n),
  };
};
const quiet = { progress: () => {}, checkCancelled: () => {} };

it('panel calls: CLI defaults, saved run resumed, editor exported and refused by another model', async () => {
  const host = new EngineHost(acquireNodeDevice, () => {});
  await host.load(source(4));
  const model = host.current.view.model;
  const store = memoryStore();
  const calls = trainingHandlers(host, store);

  const info = await calls.trainingInfo({ method: 'ibke' }, quiet);
  const cli = trainingSettings(model, { method: 'ibke', data: { file: '', edits: 0 } });
  expect(info.defaults).toMatchObject({
    steps: cli.steps,
    batch: cli.batch,
    lr: cli.optimizer.lr,
    beta: cli.beta,
  });
  expect(info.defaults.layers).toEqual(cli.hypernet.editedLayers);
  expect(info.layerChoices).toEqual(expect.arrayContaining(info.defaults.layers));
  expect(info.saved).toBeNull();

  // Paused after step 1 (the worker's cancel): reported as a saved run.
  let steps = 0;
  const pauseAfter1 = {
    progress: (p: { stage: string }) => void (steps = Number(/^Step (\d+)/.exec(p.stage)?.[1] ?? steps)),
    checkCancelled: () => {
      if (steps >= 1) throw Object.assign(new Error('Cancelled.'), { name: 'CancelledError' });
    },
  };
  const input = {
    options: { method: 'ibke' as const, steps: 3, batch: 2, latentLength: 2, alphaInit: 0.01 },
    dataset: { name: 'mine.json', bytes: BYTES.slice() },
    validation: 2,
    checkKnown: 0,
  };
  const first = await calls.trainEditor(input, pauseAfter1);
  expect(first).toMatchObject({ finished: false, step: 1 });
  const saved = await calls.trainingInfo({ method: 'ibke' }, quiet);
  expect(saved.saved).toMatchObject({ step: 1, totalSteps: 3, dataset: 'mine.json' });

  // "A closed tab": resumed from the store alone (settings and the user's file were saved with the run).
  const done = await calls.resumeEditorTraining({ method: 'ibke' }, quiet);
  expect(done.finished).toBe(true);
  expect(done.curve.map((p) => p.step)).toEqual([1, 2, 3]);
  expect(done.curve[0].loss).toBe(first.curve[0].loss);
  expect(done.methods).toContain('ibke');

  const exported = await calls.exportEditor({ method: 'ibke' }, quiet);
  const config = JSON.parse(exported.config);
  expect(config.model.fingerprint).toBe(await modelFingerprint(model));
  expect(config.training.steps).toBe(3);

  // Another model (same shapes, other weights): refused before anything is installed.
  const other = new EngineHost(acquireNodeDevice, () => {});
  await other.load(source(9));
  const otherCalls = trainingHandlers(other, memoryStore());
  await expect(
    otherCalls.importEditor({ config: exported.config, weights: exported.weights.slice(0) }, quiet),
  ).rejects.toThrow(/trained for other weights/);
  expect(other.current.methods).not.toContain('ibke');
  await expect(
    otherCalls.importEditor({ config: '{"config":{"method":"rome"}}', weights: new ArrayBuffer(8) }, quiet),
  ).rejects.toThrow(/not describe a MEND or IBKE editor/);
  await expect(otherCalls.exportEditor({ method: 'mend' }, quiet)).rejects.toThrow(/no MEND editor/);
  other.unload();

  // The same model takes its own file back.
  const again = await calls.importEditor({ config: exported.config, weights: exported.weights }, quiet);
  expect(again).toMatchObject({ method: 'ibke' });

  await calls.discardTraining({ method: 'ibke' }, quiet);
  expect((await calls.trainingInfo({ method: 'ibke' }, quiet)).saved).toBeNull();
  host.unload();
}, 400_000); // two short runs and two loads of a tiny model (≈ 30 s idle; more on a loaded CPU adapter)
