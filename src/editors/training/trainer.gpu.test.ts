// Editor training on a tiny random GPT-2 and a tiny random Qwen3 (RMSNorm, RoPE, GQA, SwiGLU: the editors edit
// mlp.gate/up/down there) with toy edits (token ids), through the one model interface: a few steps lower the
// post-edit loss for MEND and IBKE, the trained editor moves an edit's target further than the untrained one,
// nothing is allocated after warm-up, and a run resumed from saved editor weights + AdamW state matches an
// uninterrupted one step for step.

import { expect, it } from 'vitest';
import { testContext } from '../../gpu/testing.ts';
import { completionRows, makeBatch } from '../../model/batch.ts';
import { gpt2Shape, type Gpt2Dims } from '../../model/gpt2/dims.ts';
import { Gpt2Model } from '../../model/gpt2/model.ts';
import type { LanguageModel } from '../../model/language-model.ts';
import { randomGpt2Weights } from '../../model/testing.ts';
import { createHypernet, defaultIbkeConfig, defaultMendConfig } from '../hyper/index.ts';
import type { HypernetConfig } from '../hyper/types.ts';
import { tinyRandomTarget, type ToyArchitecture } from '../toy-model.testing.ts';
import type { Completion, TrainingEdit } from './data.ts';
import { sampleBatch } from './sampler.ts';
import { DEFAULT_LAMBDAS, EditorTrainer, type EditorOptimizer } from './trainer.ts';

const DIMS: Gpt2Dims = { nLayer: 2, nHead: 2, nEmbd: 16, nPositions: 16, vocabSize: 64, eps: 1e-5 };
const OPT: EditorOptimizer = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

/** Edit i: subject token 10+i in two templates, new target 40+i; locality: another template and answer. */
function toyEdits(n: number): TrainingEdit[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(i),
    edit: { prompt: [1, 2, 10 + i, 3], target: [40 + i] },
    generality: [{ prompt: [4, 10 + i, 5, 3], target: [40 + i] }],
    locality: [{ prompt: [6, 30 + i, 7], target: [50 + (i % 5), 8] }],
  }));
}

function backbone(ctx: Awaited<ReturnType<typeof testContext>>, arch: ToyArchitecture): LanguageModel {
  if (arch === 'qwen3') return tinyRandomTarget(ctx, 'qwen3').model;
  // Larger-than-default random weights, so the output distributions are peaked and an MLP edit can move them.
  const weights = randomGpt2Weights({ ...DIMS }, 5);
  for (const [name, w] of weights) if (!name.includes('ln')) w.forEach((v, i) => (w[i] = v * 5));
  return new Gpt2Model(ctx, DIMS, weights, 'toy');
}

function setup(config: HypernetConfig, weights?: Map<string, Float32Array>, arch: ToyArchitecture = 'gpt2') {
  return testContext().then((ctx) => {
    const model = backbone(ctx, arch);
    const net = createHypernet(ctx, model, config, weights);
    const lambdas = DEFAULT_LAMBDAS[config.method];
    const trainer = new EditorTrainer(
      model,
      net,
      OPT,
      { lambdas, beta: config.method === 'ibke' ? 1e-3 : 0 },
      9,
    );
    trainer.reserve(8, DIMS.nPositions);
    return { ctx, model, net, trainer };
  });
}

const smallIbke = (shape: Parameters<typeof defaultIbkeConfig>[0]) =>
  defaultIbkeConfig(shape, {
    alphaInit: 0.05,
    dHidden: 16,
    projRank: 8,
    dLatent: 8,
    dMlp: 16,
    nEnc: 1,
    nDec: 1,
  });

/** NLL of the edit's target on the model as it is, and with the editor's update for that edit applied. */
async function editNll(t: Awaited<ReturnType<typeof setup>>, e: Completion): Promise<[number, number]> {
  const batch = makeBatch([[...e.prompt, ...e.target]], t.model.dims.nPositions);
  const rows = completionRows(batch, [e.prompt.length]);
  const pre = (await t.model.run(batch, rows)).loss;
  const factors = t.net.forward(await t.trainer.capture.capture([e]), { train: false });
  t.trainer.swap.apply(factors);
  try {
    return [pre, (await t.model.run(batch, rows)).loss];
  } finally {
    t.trainer.swap.restore();
  }
}

const CASES = (['gpt2', 'qwen3'] as const).flatMap((arch) =>
  (['mend', 'ibke'] as const).map((m) => [m, arch] as const),
);

it.each(CASES)(
  '%s on a tiny %s: training steps lower the post-edit loss and move the target, no allocation after warm-up',
  async (method, arch) => {
    const probe = await testContext().then((ctx) => backbone(ctx, arch));
    const config = method === 'mend' ? defaultMendConfig(probe, { alphaInit: 0.05 }) : smallIbke(probe);
    probe.destroy();
    const t = await setup(config, undefined, arch);
    const { ctx, model, net, trainer } = t;
    const edits = toyEdits(8);
    const [pre, untrained] = await editNll(t, edits[0].edit);
    const losses: number[] = [];
    let created = 0;
    for (let s = 0; s < 12; s++) {
      if (s === 2) created = ctx.buffersCreated;
      const r = await trainer.trainStep(sampleBatch(edits, 8, 1, s));
      losses.push(r.loss);
      if (s % 4 === 0) console.info(JSON.stringify(r.terms));
    }
    expect(ctx.buffersCreated - created).toBe(0);
    const [, trained] = await editNll(t, edits[0].edit);
    console.info(
      `${method} on ${arch}: losses ${losses.map((l) => l.toFixed(4)).join(' ')}; edit NLL unedited ${pre.toFixed(3)}, untrained editor ${untrained.toFixed(3)}, trained ${trained.toFixed(3)}`,
    );
    const first = (losses[0] + losses[1]) / 2;
    const last = (losses[10] + losses[11]) / 2;
    expect(last).toBeLessThan(0.8 * first);
    // The trained editor's update makes the new target more likely than the model alone and than before training.
    expect(trained).toBeLessThan(pre - 0.5);
    expect(trained).toBeLessThan(untrained);
    trainer.destroy();
    net.destroy();
    model.destroy();
  },
);

it('ibke: resuming from saved editor weights and AdamW state reproduces an uninterrupted run', async () => {
  const config = smallIbke(gpt2Shape(DIMS));
  const edits = toyEdits(6);
  const batch = (s: number) => sampleBatch(edits, 4, 3, s);

  const a = await setup(config);
  const lossesA: number[] = [];
  for (let s = 0; s < 4; s++) lossesA.push((await a.trainer.trainStep(batch(s))).loss);
  const finalA = await a.net.save();

  const b = await setup(config);
  const lossesB: number[] = [];
  for (let s = 0; s < 2; s++) lossesB.push((await b.trainer.trainStep(batch(s))).loss);
  const saved = await b.net.save();
  const adam = new Map((await b.trainer.optimizerState()).map((t) => [t.name, t.data]));
  const step = b.trainer.step;
  b.trainer.destroy();
  b.net.destroy();
  b.model.destroy();

  const c = await setup(config, new Map(saved.tensors.map((t) => [t.name, t.data])));
  c.trainer.loadOptimizerState(adam, step);
  for (let s = step; s < 4; s++) lossesB.push((await c.trainer.trainStep(batch(s))).loss);
  const finalC = await c.net.save();
  console.info(
    `uninterrupted ${lossesA.map((l) => l.toFixed(6))} resumed ${lossesB.map((l) => l.toFixed(6))}`,
  );
  lossesB.forEach((l, i) => expect(l).toBeCloseTo(lossesA[i], 5));
  for (const [i, t] of finalA.tensors.entries()) {
    const other = finalC.tensors[i];
    expect(other.name).toBe(t.name);
    let worst = 0;
    t.data.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - other.data[j]))));
    expect(worst, t.name).toBeLessThan(1e-6);
  }
  for (const r of [a, c]) {
    r.trainer.destroy();
    r.net.destroy();
    r.model.destroy();
  }
});
