// LlamaModel behaviour beyond parity, on the committed Qwen3 fixture (GQA, q/k norm, tied) and the Llama one:
// KV-cache generation equals re-running the prefix (greedy and sampled, with an edit's side-car term applied),
// (u, δ) capture gives the weight gradient, a backward stopped at a block gives the same δ there, side-car
// terms merge into the exported (out, in) weights, training lowers the loss, and nothing is allocated per call
// after warm-up.

import { describe, expect, it } from 'vitest';
import { expectClose, randomArray, testContext } from '../../gpu/testing.ts';
import { languageModelRows, makeBatch } from '../batch.ts';
import { sampleWithTemperature } from '../decode-loop.ts';
import type { LinearRole } from '../language-model.ts';
import type { LlamaDims } from './dims.ts';
import { loadFixture } from './fixture.testing.ts';
import { randomLlamaInit } from './init.ts';
import { LlamaModel } from './model.ts';
import { LlamaParameters } from './parameters.ts';

const PROMPT = [5, 17, 42];

/** The old, uncached loop: every token re-runs the whole prefix. */
async function generateUncached(model: LlamaModel, ids: number[], n: number, temperature = 0, seed = 1) {
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

describe.each(['qwen3-gqa', 'llama-untied'])('%s', (name) => {
  it('KV-cache generation equals re-running the prefix, greedy and sampled, with a side-car term', async () => {
    const { dims, weights } = loadFixture(name);
    const ctx = await testContext();
    const model = new LlamaModel(ctx, dims, weights, 'gen');
    const n = 6;
    const greedy = await model.generate(PROMPT, n);
    expect(greedy).toEqual(await generateUncached(model, PROMPT, n));
    const sampled = await model.generate(PROMPT, n, { temperature: 1, seed: 7 });
    expect(sampled).toEqual(await generateUncached(model, PROMPT, n, 1, 7));
    // A rank-1 edit on block 1's down projection, applied through the side-car in both loops.
    const s = model.linear(1, 'mlp.down');
    const left = ctx.upload('left', randomArray(s.nIn, 3, 2));
    const right = ctx.upload('right', randomArray(s.nOut, 4, 2));
    model.sideCar.set('test', 1, 'mlp.down', { kind: 'low_rank', rank: 1, left, right });
    const edited = await model.generate(PROMPT, n);
    expect(edited).toEqual(await generateUncached(model, PROMPT, n));
    expect(edited).not.toEqual(greedy);
    // Stops at the context length and at stopId (the first token not generated before it).
    const long = Array.from({ length: dims.nPositions - 3 }, (_, i) => (i * 7) % dims.vocabSize);
    expect((await model.generate(long, 100)).length).toBe(3);
    const k = edited.findIndex((t, i) => !edited.slice(0, i).includes(t) && i > 0);
    if (k > 0) expect(await model.generate(PROMPT, n, { stopId: edited[k] })).toEqual(edited.slice(0, k));
    model.destroy();
    [left, right].forEach((b) => b.destroy());
  });
});

it('the RoPE table grows mid-generation (past its first 64 positions) without changing earlier results', async () => {
  const dims: LlamaDims = {
    architecture: 'qwen3',
    nLayer: 1,
    nEmbd: 8,
    nPositions: 100,
    vocabSize: 19,
    nHead: 2,
    nKvHead: 1,
    headDim: 4,
    nInner: 12,
    eps: 1e-6,
    ropeTheta: 10000,
    tiedEmbeddings: true,
    attentionBias: 'none',
    qkNorm: true,
  };
  const ctx = await testContext();
  const model = new LlamaModel(ctx, dims, randomLlamaInit(dims, 3, 0.5), 'rope-growth');
  const [short] = await model.nextTokenDistributions([[1, 2, 3]]); // table: 64 positions
  const prompt = Array.from({ length: 66 }, (_, i) => (i * 5) % dims.vocabSize);
  const cached = await model.generate(prompt, 3); // prefill at 66 positions grows it to 100
  expect(cached).toEqual(await generateUncached(model, prompt, 3));
  const [again] = await model.nextTokenDistributions([[1, 2, 3]]);
  expectClose('short prefix after growth', again, short, 0, 0);
  model.destroy();
});

it('(u, δ) capture gives every weight gradient; a backward stopped at a block gives the same δ there', async () => {
  const { dims, weights, sequences } = loadFixture('qwen3-gqa');
  const ctx = await testContext();
  const model = new LlamaModel(ctx, dims, weights, 'capture');
  const grads = new LlamaParameters(ctx, dims, 'capture.grad');
  const batch = makeBatch(sequences, dims.nPositions);
  const rows = languageModelRows(batch);
  const N = batch.B * batch.T;
  const captured = new Map<string, { u: GPUBuffer; d: GPUBuffer }>();
  const copyOf = (label: string, b: GPUBuffer, floats: number) => {
    const c = ctx.buffer(label, floats * 4);
    ctx.copy(b, 0, c, 0, floats * 4);
    return c;
  };
  const capture =
    (into: Map<string, { u: GPUBuffer; d: GPUBuffer }>) =>
    (block: number, role: LinearRole, u: GPUBuffer, d: GPUBuffer) => {
      const s = model.linear(block, role);
      into.set(`${block}.${role}`, { u: copyOf('u', u, N * s.nIn), d: copyOf('d', d, N * s.nOut) });
    };
  grads.zero();
  await model.run(batch, rows, { backward: { grads, onLinear: capture(captured) } });
  expect(captured.size).toBe(7 * dims.nLayer);
  const all = await grads.download();
  for (const [key, { u, d }] of captured) {
    const [block, role] = [Number(key.split('.')[0]), key.slice(key.indexOf('.') + 1) as LinearRole];
    const s = model.linear(block, role);
    const [uh, dh] = [await ctx.read(u), await ctx.read(d)];
    const dW = new Float32Array(s.nOut * s.nIn); // (out, in): Σ_n δ[n, j]·u[n, i]
    for (let r = 0; r < N; r++)
      for (let j = 0; j < s.nOut; j++)
        for (let i = 0; i < s.nIn; i++) dW[j * s.nIn + i] += dh[r * s.nOut + j] * uh[r * s.nIn + i];
    expectClose(`uᵀδ ${key}`, dW, all.get(s.param)!, 1e-6, 1e-4);
  }
  // Stopped at block 1 after its MLP: only block 1's down/gate/up fire, with the full pass's δ.
  const stopped = new Map<string, { u: GPUBuffer; d: GPUBuffer }>();
  await model.run(batch, rows, {
    backward: { stopLayer: 1, stopAfterMlp: true, onLinear: capture(stopped) },
  });
  expect([...stopped.keys()].sort()).toEqual(['1.mlp.down', '1.mlp.gate', '1.mlp.up']);
  for (const [key, { d }] of stopped)
    expectClose(`δ ${key}`, await ctx.read(d), await ctx.read(captured.get(key)!.d), 1e-7, 1e-5);
  model.destroy();
  grads.destroy();
  for (const { u, d } of [...captured.values(), ...stopped.values()]) [u, d].forEach((b) => b.destroy());
});

it('side-car terms merge into exported (out, in) weights; training lowers the loss; no allocation after warm-up', async () => {
  const { dims, weights, sequences } = loadFixture('llama-untied');
  const ctx = await testContext();
  const model = new LlamaModel(ctx, dims, weights, 'merge');
  const s = model.linear(0, 'attn.out');
  const left = ctx.upload('left', randomArray(2 * s.nIn, 5, 0.5));
  const right = ctx.upload('right', randomArray(2 * s.nOut, 6, 0.5));
  const delta = ctx.upload('delta', randomArray(s.nIn * s.nOut, 7, 0.2));
  model.sideCar.set('a', 0, 'attn.out', { kind: 'low_rank', rank: 2, left, right });
  model.sideCar.set('b', 0, 'attn.out', { kind: 'dense', delta });
  const [withTerms] = await model.nextTokenDistributions([sequences[0]]);
  const merged = new LlamaModel(ctx, dims, await model.exportWeights(), 'merged');
  const [fromMerged] = await merged.nextTokenDistributions([sequences[0]]);
  expectClose('merged vs side-car', fromMerged, withTerms, 1e-6, 1e-4);
  merged.destroy();
  model.sideCar.clear('a');
  model.sideCar.clear('b');

  const trainer = model.createTrainer();
  const cfg = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01 };
  const first = await trainer.trainStep(sequences, cfg);
  let last = first;
  for (let i = 0; i < 4; i++) last = await trainer.trainStep(sequences, cfg);
  expect(last).toBeLessThan(first);

  const step = async () => {
    await trainer.trainStep(sequences, cfg);
    await model.topNext([[1, 2, 3]], 5);
    await model.generate([1, 2], 4);
  };
  await step();
  const before = ctx.buffersCreated;
  for (let i = 0; i < 2; i++) await step();
  expect(ctx.buffersCreated - before).toBe(0);
  trainer.destroy();
  model.destroy();
  [left, right, delta].forEach((b) => b.destroy());
});
