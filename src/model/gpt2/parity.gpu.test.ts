// Parity with PyTorch: the committed fixture (tools/torch/gpt2_parity.py, GPT-2's math in plain PyTorch with
// autograd) holds logits, the loss and every parameter gradient for a fixed padded batch. The engine must
// reproduce all of them; the test prints each tensor's max difference.

import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { expectClose, maxAbsDiff, testContext } from '../../gpu/testing.ts';
import { parseGpt2Config } from '../config.ts';
import { mapHfWeights } from '../gpt2-layout.ts';
import { parseSafetensors, tensorToFloat32 } from '../safetensors.ts';
import { languageModelRows, makeBatch } from './batch.ts';
import { Gpt2Model } from './model.ts';
import { Gpt2Parameters } from './parameters.ts';

const dir = new URL('./fixtures/parity/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir));

function softmax(logits: Float32Array): Float32Array {
  const max = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

it('logits, loss and every gradient match the PyTorch fixture', async () => {
  const configText = read('config.json').toString();
  const config = parseGpt2Config(configText, 'parity/config.json');
  const sequences = JSON.parse(configText).sequences as number[][];
  const weights = mapHfWeights(
    parseSafetensors(read('model.safetensors'), 'parity/model.safetensors'),
    config,
  );
  const expected = parseSafetensors(read('expected.safetensors'), 'parity/expected.safetensors');
  const want = (name: string) => tensorToFloat32(expected, name);

  const ctx = await testContext();
  const model = new Gpt2Model(ctx, config, weights, 'parity');
  const grads = new Gpt2Parameters(ctx, config, 'parity.grad');
  const batch = makeBatch(sequences, config.nPositions);
  grads.zero();
  const { loss } = await model.run(batch, languageModelRows(batch), { backward: { grads } });
  const diffs: string[] = [];
  expectClose('loss', [loss], want('loss'), 1e-5, 1e-5);
  diffs.push(`loss ${Math.abs(loss - want('loss')[0]).toExponential(1)}`);

  // Next-token distributions at every real position vs softmax(torch logits).
  const V = config.vocabSize;
  for (let b = 0; b < sequences.length; b++) {
    const torchLogits = want(`logits.${b}`);
    for (let t = 0; t < sequences[b].length; t++) {
      const prefix = sequences[b].slice(0, t + 1);
      const [p] = await model.nextTokenDistributions([prefix]);
      const q = softmax(torchLogits.subarray(t * V, (t + 1) * V));
      expectClose(`probs seq ${b} pos ${t}`, p, q, 1e-6, 1e-4);
    }
  }

  const got = await grads.download();
  for (const [name, g] of got) {
    const w = want(`grad.${name}`);
    expectClose(`grad ${name}`, g, w, 2e-6, 2e-4);
    diffs.push(`${name} ${maxAbsDiff(g, w).toExponential(1)}`);
  }
  console.log(`PyTorch parity, max |diff| per tensor:\n  ${diffs.join('\n  ')}`);
  expect(got.size).toBe(2 + 12 * config.nLayer + 2);
  model.destroy();
  grads.destroy();
});

it('allocates no GPU buffer per call after warm-up', async () => {
  const ctx = await testContext();
  const config = parseGpt2Config(read('config.json').toString(), 'parity/config.json');
  const weights = mapHfWeights(
    parseSafetensors(read('model.safetensors'), 'parity/model.safetensors'),
    config,
  );
  const model = new Gpt2Model(ctx, config, weights, 'alloc');
  const grads = new Gpt2Parameters(ctx, config, 'alloc.grad');
  const batch = makeBatch(
    [
      [1, 2, 3, 4, 5, 6],
      [7, 8],
    ],
    config.nPositions,
  );
  const step = async () => {
    grads.zero();
    await model.run(batch, languageModelRows(batch), { backward: { grads } });
    await model.topNext([[1, 2, 3]], 5);
  };
  await step();
  const before = ctx.buffersCreated;
  for (let i = 0; i < 3; i++) await step();
  expect(ctx.buffersCreated - before).toBe(0);
  model.destroy();
  grads.destroy();
});
