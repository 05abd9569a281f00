// `editscope train-editor` end to end on a tiny random model: editor files that the editors' reader accepts,
// a loss curve and validation scores, a resume that continues from the checkpoint, and a readable error when a
// resumed run's options differ; a Qwen3 folder trains from a gzip file with skipped records counted.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it, vi } from 'vitest';
import { readEditorFiles } from '../../editors/hyper/files.ts';
import { gpt2Shape } from '../../model/gpt2/dims.ts';
import { writeCheckpointDir, writeModelCheckpointDir } from '../../model/checkpoint-node.ts';
import { GPT2_PRESETS } from '../../model/config.ts';
import { tinyLlamaCheckpoint, tinyQwen3Config } from '../../model/llama-testing.ts';
import { tinyCheckpoint } from '../../model/testing.ts';
import { trainEditor } from './train-editor.ts';

const WORDS = ['paris', 'rome', 'oslo', 'lima', 'kiev', 'doha'];

function edits(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    case_id: `e${i}`,
    prompt: `the capital of ${WORDS[i % 6]}land is`,
    subject: `${WORDS[i % 6]}land`,
    target_new: WORDS[(i + 1) % 6],
    rephrase_prompts: [`${WORDS[i % 6]}land has the capital`],
    locality: {
      neighborhood: [{ prompt: `the capital of ${WORDS[(i + 3) % 6]}ia is`, ground_truth: ' bern' }],
    },
  }));
}

it('trains, writes editor files and a curve, resumes, and rejects changed options', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'train-editor-'));
  const model = join(dir, 'model');
  await writeCheckpointDir(model, tinyCheckpoint({ ...GPT2_PRESETS.tiny }, 2));
  await writeFile(join(dir, 'train.json'), JSON.stringify(edits(6)));
  await writeFile(join(dir, 'val.json'), JSON.stringify(edits(2)));
  const out = join(dir, 'editor');
  const args = (steps: number) =>
    ['--method', 'ibke', '--model', model, '--data', join(dir, 'train.json'), '--val', join(dir, 'val.json')]
      .concat(['--out', out, '--state', join(dir, 'state'), '--steps', String(steps), '--batch', '3'])
      .concat(['--checkpoint-every', '2', '--lr', '1e-3', '--lm', '2', '--alpha-init', '0.01']);

  await trainEditor(args(2));
  const first = JSON.parse(await readFile(join(out, 'loss-curve.json'), 'utf8'));
  expect(first.points.map((p: { step: number }) => p.step)).toEqual([1, 2]);

  await trainEditor(args(4)); // resumes at step 2
  const curve = JSON.parse(await readFile(join(out, 'loss-curve.json'), 'utf8'));
  expect(curve.points.map((p: { step: number }) => p.step)).toEqual([1, 2, 3, 4]);
  expect(curve.points[0].loss).toBeCloseTo(first.points[0].loss, 6);
  for (const p of curve.points) expect(Number.isFinite(p.loss) && p.gen > 0 && p.loc >= 0).toBe(true);

  const configText = await readFile(join(out, 'config.json'), 'utf8');
  const config = JSON.parse(configText);
  expect(config.training.steps).toBe(4);
  expect(config.training.hypernet.latentLength).toBe(2);
  const v = config.validation.scores;
  for (const k of ['reliability', 'generality', 'locality']) expect(v[k]).toBeGreaterThanOrEqual(0);
  expect(v.edits).toBe(2);
  const read = readEditorFiles(
    'ibke',
    configText,
    await readFile(join(out, 'editor.safetensors')),
    gpt2Shape(GPT2_PRESETS.tiny),
  );
  expect(config.architecture).toBe('gpt2');
  expect(read.config.method).toBe('ibke');
  expect(read.weights.get('norm.count')![0]).toBeGreaterThan(0);

  await expect(trainEditor([...args(6), '--beta', '0.5'])).rejects.toThrow(/beta: checkpoint 0.001, now 0.5/);
  await expect(trainEditor([...args(6), '--method', 'mend'])).rejects.toThrow(/IBKE options/);
});

it('trains MEND for a Qwen3 folder from a gzip file, counting skipped records and known answers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'train-editor-qwen3-'));
  const model = join(dir, 'model');
  await writeModelCheckpointDir(model, tinyLlamaCheckpoint(tinyQwen3Config(), 3));
  // One record longer than the 64-token context: skipped and counted, never silently.
  const records = [
    ...edits(4),
    { ...edits(1)[0], case_id: 'long', prompt: `the capital of ${'xq '.repeat(40)}parisland is` },
  ].map((r) => ({
    ...r,
    ground_truth: 'bern',
  }));
  await writeFile(join(dir, 'train.json.gz'), gzipSync(JSON.stringify(records)));
  const out = join(dir, 'editor');
  const logs: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    logs.push(String(chunk));
    return true;
  });
  try {
    await trainEditor(
      ['--method', 'mend', '--model', model, '--data', join(dir, 'train.json.gz'), '--out', out]
        .concat(['--state', join(dir, 'state'), '--steps', '2', '--batch', '2', '--alpha-init', '0.01'])
        .concat(['--layers', '1.mlp.up,1.mlp.down']),
    );
  } finally {
    spy.mockRestore();
  }
  const text = logs.join('');
  expect(text).toMatch(/skipped 1 of 5 records: 1 longer than the 64-token context/);
  expect(text).toMatch(/The model knows \d+ of 4 checked true answers/);
  expect(text).toMatch(/qwen3 model/);
  const configText = await readFile(join(out, 'config.json'), 'utf8');
  const config = JSON.parse(configText);
  expect(config.architecture).toBe('qwen3');
  expect(config.config.editedLayers).toEqual(['1.mlp.up', '1.mlp.down']);
  expect(config.model.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  const curve = JSON.parse(await readFile(join(out, 'loss-curve.json'), 'utf8'));
  expect(curve.points.map((p: { step: number }) => p.step)).toEqual([1, 2]);
  for (const p of curve.points) expect(Number.isFinite(p.loss)).toBe(true);
});

it('--snapshots keeps the editor as each validation saw it, so a step can be chosen on validation', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'train-editor-snapshots-'));
  const model = join(dir, 'model');
  await writeCheckpointDir(model, tinyCheckpoint({ ...GPT2_PRESETS.tiny }, 2));
  await writeFile(join(dir, 'train.json'), JSON.stringify(edits(6)));
  await writeFile(join(dir, 'val.json'), JSON.stringify(edits(2)));
  const out = join(dir, 'editor');
  await trainEditor(
    ['--method', 'mend', '--model', model, '--data', join(dir, 'train.json'), '--val', join(dir, 'val.json')]
      .concat(['--out', out, '--state', join(dir, 'state'), '--steps', '4', '--batch', '3'])
      .concat(['--validate-every', '2', '--alpha-init', '0.01', '--snapshots']),
  );
  const weights: Uint8Array[] = [];
  for (const step of [2, 4]) {
    const configText = await readFile(join(out, `step-${step}`, 'config.json'), 'utf8');
    const config = JSON.parse(configText);
    expect(config.training.steps).toBe(step);
    expect(config.validation.step).toBe(step);
    const bytes = await readFile(join(out, `step-${step}`, 'editor.safetensors'));
    expect(readEditorFiles('mend', configText, bytes, gpt2Shape(GPT2_PRESETS.tiny)).config.method).toBe(
      'mend',
    );
    weights.push(bytes);
  }
  // Step 2's snapshot is not the final editor; step 4's is.
  expect(Buffer.from(weights[0]).equals(Buffer.from(weights[1]))).toBe(false);
  expect(Buffer.from(weights[1]).equals(await readFile(join(out, 'editor.safetensors')))).toBe(true);
});
