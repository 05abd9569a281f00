// Editor training as the worker runs it (Node device, a Map in place of OPFS): a run cancelled after step 2
// keeps its checkpoint, the same call resumes from it ("a closed tab") and finishes, the editor is installed
// for the model, and the losses of the interrupted run equal those of one uninterrupted EditorTrainingRun
// (the object the CLI trains with) step for step.

import { expect, it } from 'vitest';
import { acquireNodeDevice } from '../gpu/node.ts';
import { serializeCheckpoint } from '../model/checkpoint.ts';
import { GPT2_PRESETS } from '../model/config.ts';
import { tinyCheckpoint } from '../model/testing.ts';
import { EngineHost, type LoadedSource } from '../engine/host.ts';
import { modelFingerprint } from '../editors/hyper/fingerprint.ts';
import { readTrainingRecords, tokenizeRecords } from '../editors/training/dataset-file.ts';
import { trainingSettings } from '../editors/training/options.ts';
import { EditorTrainingRun } from '../editors/training/run.ts';
import { trainEditorInWorker, type CheckpointStore, type TrainEditorInput } from './training.ts';

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
const FILES = serializeCheckpoint(tinyCheckpoint(GPT2_PRESETS.tiny, 4));
const source = (): LoadedSource => ({
  source: { kind: 'local', label: 'tiny' },
  name: 'tiny',
  files: FILES,
  editorFiles: async () => null,
});
const INPUT: TrainEditorInput = {
  options: { method: 'ibke', steps: 4, batch: 3, lr: 1e-3, latentLength: 2, alphaInit: 0.01 },
  dataset: { name: 'train.json', bytes: BYTES },
  checkpointEvery: 2,
  checkKnown: 6,
};

it('trains in the worker, resumes a cancelled run from its checkpoint, installs the editor, same losses as the CLI run', async () => {
  const host = new EngineHost(acquireNodeDevice, () => {});
  await host.load(source());
  const model = host.current.view.model;
  const fingerprint = await modelFingerprint(model);
  const saved = new Map<string, Uint8Array>();
  const store: CheckpointStore = {
    read: async (n) => saved.get(n) ?? null,
    write: async (n, b) => void saved.set(n, b),
    remove: async (n) => void saved.delete(n),
  };
  const noDefault = () => Promise.reject(new Error('not used'));

  let stepsSeen = 0;
  const cancelAfter2 = {
    progress: (p: { stage: string }) =>
      void (stepsSeen = Number(/^Step (\d+)/.exec(p.stage)?.[1] ?? stepsSeen)),
    checkCancelled: () => {
      if (stepsSeen >= 2) throw Object.assign(new Error('Cancelled.'), { name: 'CancelledError' });
    },
  };
  const first = await trainEditorInWorker(host, store, INPUT, cancelAfter2, noDefault, fingerprint);
  expect(first.finished).toBe(false);
  expect(first.step).toBe(2);
  expect(first.known).toMatchObject({ checked: 6 });
  expect(host.current.methods).not.toContain('ibke');

  const tools = { progress: () => {}, checkCancelled: () => {} };
  const second = await trainEditorInWorker(host, store, INPUT, tools, noDefault, fingerprint);
  expect(second.finished).toBe(true);
  expect(second.curve.map((p) => p.step)).toEqual([1, 2, 3, 4]);
  expect(second.methods).toContain('ibke');
  expect(JSON.parse(second.files!.config).model.fingerprint).toBe(fingerprint);

  // The same settings and edits through EditorTrainingRun directly, uninterrupted.
  const records = await readTrainingRecords(BYTES, 'train.json');
  const { edits } = tokenizeRecords(
    records,
    (t) => host.current.view.tokenizer.encode(t),
    model.dims.nPositions,
  );
  const settings = trainingSettings(model, {
    ...INPUT.options,
    data: { file: 'train.json', edits: edits.length },
  });
  const run = await EditorTrainingRun.create(model, settings, edits, []);
  await run.run(edits, [], { checkpointEvery: 100, validateEvery: 0 });
  console.info(
    `worker ${second.curve.map((p) => p.loss.toFixed(6))} direct ${run.curve.map((p) => p.loss.toFixed(6))}`,
  );
  run.curve.forEach((p, i) => expect(second.curve[i].loss).toBeCloseTo(p.loss, 5));
  run.destroy();
  host.unload();
}, 400_000); // three short runs on a tiny model (≈ 60 s idle; more on a loaded CPU adapter)
