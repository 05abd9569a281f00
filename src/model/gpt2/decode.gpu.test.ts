// GPT-2 generation with a KV cache equals re-running the whole prefix for every token (greedy and sampled, and
// with an edit's side-car term), on the committed PyTorch parity fixture's weights; no allocation per call.

import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { randomArray, testContext } from '../../gpu/testing.ts';
import { parseGpt2Config } from '../config.ts';
import { sampleWithTemperature } from '../decode-loop.ts';
import { mapHfWeights } from '../gpt2-layout.ts';
import { parseSafetensors } from '../safetensors.ts';
import { Gpt2Decoder } from './decode.ts';
import { Gpt2Model } from './model.ts';

const dir = new URL('./fixtures/parity/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir));

/** The committed parity fixture's GPT-2 on the test adapter. */
async function parityModel(label: string) {
  const config = parseGpt2Config(read('config.json').toString(), 'parity/config.json');
  const weights = mapHfWeights(
    parseSafetensors(read('model.safetensors'), 'parity/model.safetensors'),
    config,
  );
  const ctx = await testContext();
  return { ctx, config, model: new Gpt2Model(ctx, config, weights, label) };
}

async function generateUncached(model: Gpt2Model, ids: number[], n: number, temperature = 0, seed = 1) {
  const seq = [...ids];
  let rng = seed >>> 0;
  for (let i = 0; i < n; i++) {
    let next: number;
    if (!temperature) next = (await model.topNext([seq], 1))[0][0].id;
    else {
      const [p] = await model.nextTokenDistributions([seq]);
      rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
      next = sampleWithTemperature(p, temperature, rng / 2 ** 32);
    }
    seq.push(next);
  }
  return seq.slice(ids.length);
}

it('cached generation equals uncached token for token; no allocation after warm-up', async () => {
  const { ctx, config, model } = await parityModel('decode');
  const decoder = new Gpt2Decoder(ctx, model, config);
  const prompt = [5, 17, 42, 3];
  const n = 6;
  const greedy = await decoder.generate(prompt, n);
  expect(await model.generate(prompt, n)).toEqual(greedy); // Gpt2Model.generate is the cached path
  expect(greedy).toEqual(await generateUncached(model, prompt, n));
  expect(await decoder.generate(prompt, n, { temperature: 0.8, seed: 3 })).toEqual(
    await generateUncached(model, prompt, n, 0.8, 3),
  );
  const s = model.linear(1, 'mlp.down');
  const left = ctx.upload('left', randomArray(s.nIn, 3, 2));
  const right = ctx.upload('right', randomArray(s.nOut, 4, 2));
  model.sideCar.set('test', 1, 'mlp.down', { kind: 'low_rank', rank: 1, left, right });
  const edited = await decoder.generate(prompt, n);
  expect(edited).toEqual(await generateUncached(model, prompt, n));
  expect(edited).not.toEqual(greedy);
  // The context bounds the continuation.
  const long = Array.from({ length: config.nPositions - 2 }, (_, i) => (i * 5) % config.vocabSize);
  expect((await decoder.generate(long, 50)).length).toBe(2);

  const before = ctx.buffersCreated;
  await decoder.generate(prompt, n);
  expect(ctx.buffersCreated - before).toBe(0);
  decoder.destroy();
  model.destroy();
  [left, right].forEach((b) => b.destroy());
});

it('generations started together give what each gives alone (one KV cache, calls queued), a longer prompt included', async () => {
  // The engine asks for every locality probe's answer at once (Promise.all); before the queue, the calls wrote
  // each other's cache rows, and a longer prompt reallocated the buffers another call was still using.
  const { model } = await parityModel('decode-queue');
  const prompts = [
    [5, 17],
    [9, 1, 30, 2, 44, 8, 12, 7],
    [3],
    [21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32],
  ];
  const together = await Promise.all(prompts.map((p) => model.generate(p, 5)));
  const alone: number[][] = [];
  for (const p of prompts) alone.push(await generateUncached(model, p, 5));
  expect(together).toEqual(alone);
  // A failed call does not stop the queue.
  await expect(model.generate([], 3)).rejects.toThrow(/at least one token/);
  expect(await model.generate(prompts[0], 5)).toEqual(alone[0]);
  model.destroy();
});
