// A training loop's contract: after the largest batch has been seen once, forward + backward + statistics
// updates allocate no GPU buffer (design.md: nothing allocated in the hot loop).

import { expect, it } from 'vitest';
import { testContext } from '../../gpu/testing.ts';
import { GPT2_PRESETS } from '../../model/config.ts';
import { gpt2Shape } from '../../model/gpt2/dims.ts';
import { defaultIbkeConfig, defaultMendConfig, createHypernet } from './index.ts';
import { randomTokens } from './testing.ts';

it.each(['mend', 'ibke'] as const)('%s: no allocation per step after warm-up', async (method) => {
  const ctx = await testContext();
  const dims = gpt2Shape(GPT2_PRESETS.tiny);
  const config = method === 'mend' ? defaultMendConfig(dims) : defaultIbkeConfig(dims, { dHidden: 16 });
  const net = createHypernet(ctx, dims, config);
  const batches = [[4, 3], [2], [1, 1, 1, 2]].map((e, i) =>
    randomTokens(ctx, dims, config.editedLayers, e, i + 1),
  );
  const dFactors = batches[0].layers.map((l) => ({
    key: l.key,
    dLeft: ctx.upload('dLeft', new Float32Array(7 * l.nIn).fill(0.1)),
    dRight: ctx.upload('dRight', new Float32Array(7 * l.nOut).fill(-0.1)),
  }));
  const step = (i: number) => {
    const t = batches[i % batches.length];
    net.updateNormStats(t);
    net.zeroGrad();
    net.forward(t, { train: true, seed: i });
    net.backward(dFactors, { beta: 0.01 });
  };
  // Warm-up: the most tokens (7, batch 0) and the most edits (4 → the most latent rows, batch 2).
  step(0);
  step(2);
  await ctx.sync();
  const before = ctx.buffersCreated;
  for (let i = 0; i < 6; i++) step(i);
  await ctx.sync();
  expect(ctx.buffersCreated - before).toBe(0);
  const grad = await ctx.read(net.params.find((p) => p.name === 'alpha')!.grad);
  expect(grad.every(Number.isFinite)).toBe(true);
  expect(grad.some((v) => v !== 0)).toBe(true);
  net.destroy();
});
