// MEND's network: the hand-written backward against central finite differences of the GPU forward, on tiny
// awkward sizes (two shape groups, two layers each, two edits of 3 and 2 tokens).

import { expect, it } from 'vitest';
import { testContext } from '../../gpu/testing.ts';
import { gpt2Shape } from '../../model/gpt2/dims.ts';
import { defaultEditedLayers } from './layers.ts';
import { MendNet } from './mend-net.ts';
import { randomTokens, randomWeights } from './testing.ts';
import type { MendConfig } from './types.ts';
import { gradientCheck } from './gradcheck.ts';

const DIMS = gpt2Shape({ nLayer: 2, nHead: 1, nEmbd: 3, nPositions: 8, vocabSize: 5, eps: 1e-5 });

it('MEND: every parameter gradient matches central finite differences', async () => {
  const ctx = await testContext();
  const editedLayers = defaultEditedLayers(DIMS);
  const config: MendConfig = { method: 'mend', editedLayers, rank: 2, alphaInit: 0.1, normEps: 1e-6 };
  const weights = await randomWeights((w) => new MendNet(ctx, DIMS, config, w));
  const net = new MendNet(ctx, DIMS, config, weights);
  const tokens = randomTokens(ctx, DIMS, editedLayers, [3, 2]);
  const { checked, worst, worstAt } = await gradientCheck(ctx, net, tokens, weights, { beta: 0, h: 2e-3 });
  console.info(
    `MEND gradcheck: ${checked} elements, worst relative error ${worst.toExponential(2)} (${worstAt})`,
  );
  expect(checked).toBeGreaterThan(30);
  net.destroy();
});

it('MEND starts as the identity: left = −α ū, right = δ̄ (zero-initialised U)', async () => {
  const ctx = await testContext();
  const editedLayers = defaultEditedLayers(DIMS);
  const config: MendConfig = { method: 'mend', editedLayers, rank: 2, alphaInit: 0.25, normEps: 1e-6 };
  const net = new MendNet(ctx, DIMS, config);
  const tokens = randomTokens(ctx, DIMS, editedLayers, [4]);
  const outs = net.forward(tokens, { train: false });
  for (const [i, f] of outs.entries()) {
    const u = await ctx.read(tokens.layers[i].u, 0, 4 * 4 * f.nIn);
    const d = await ctx.read(tokens.layers[i].delta, 0, 4 * 4 * f.nOut);
    const left = await ctx.read(f.left, 0, 4 * 4 * f.nIn);
    const right = await ctx.read(f.right, 0, 4 * 4 * f.nOut);
    // No statistics yet (count 0): the normalisation is the identity.
    left.forEach((v, j) => expect(v).toBeCloseTo(-0.25 * u[j], 6));
    right.forEach((v, j) => expect(v).toBeCloseTo(d[j], 6));
  }
  net.destroy();
});
