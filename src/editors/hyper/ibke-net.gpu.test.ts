// IBKE's network: the hand-written backward (encoder, latent with β·KL, decoder, heads, scale factor) against
// central finite differences of the GPU forward, on tiny awkward sizes (two edits of 3 and 2 tokens, l_m = 2).

import { expect, it } from 'vitest';
import { testContext } from '../../gpu/testing.ts';
import { gpt2Shape } from '../../model/gpt2/dims.ts';
import { gradientCheck } from './gradcheck.ts';
import { IbkeNet } from './ibke-net.ts';
import { defaultEditedLayers } from './layers.ts';
import { randomTokens, randomWeights } from './testing.ts';
import type { IbkeConfig } from './types.ts';

const DIMS = gpt2Shape({ nLayer: 1, nHead: 1, nEmbd: 3, nPositions: 8, vocabSize: 5, eps: 1e-5 });

function config(over: Partial<IbkeConfig> = {}): IbkeConfig {
  return {
    method: 'ibke',
    editedLayers: defaultEditedLayers(DIMS),
    alphaInit: 0.1,
    normEps: 1e-6,
    dHidden: 5,
    projRank: 3,
    latentLength: 2,
    dLatent: 3,
    nEnc: 1,
    nDec: 1,
    dMlp: 6,
    useIb: true,
    useScale: true,
    ...over,
  };
}

it('IBKE: every parameter gradient (β·KL included, ε sampled) matches central finite differences', async () => {
  const ctx = await testContext();
  const cfg = config();
  const weights = await randomWeights((w) => new IbkeNet(ctx, DIMS, cfg, w));
  const net = new IbkeNet(ctx, DIMS, cfg, weights);
  const tokens = randomTokens(ctx, DIMS, cfg.editedLayers, [3, 2]);
  const { checked, worst, worstAt } = await gradientCheck(ctx, net, tokens, weights, { beta: 0.7, h: 1e-2 });
  console.info(
    `IBKE gradcheck: ${checked} elements, worst relative error ${worst.toExponential(2)} (${worstAt})`,
  );
  expect(checked).toBeGreaterThan(120);
  net.destroy();
}, 60_000);

it('IBKE ablations (no IB, no scale factor) and deeper stacks keep exact gradients', async () => {
  const ctx = await testContext();
  const cfg = config({ useIb: false, useScale: false, nEnc: 2, nDec: 2, latentLength: 1 });
  const weights = await randomWeights((w) => new IbkeNet(ctx, DIMS, cfg, w));
  const net = new IbkeNet(ctx, DIMS, cfg, weights);
  const tokens = randomTokens(ctx, DIMS, cfg.editedLayers, [2, 1, 2]);
  // β is ignored without IB: z = μ and the KL term has no gradient.
  const { checked, worst, worstAt } = await gradientCheck(ctx, net, tokens, weights, { beta: 0, h: 1e-2 });
  console.info(
    `IBKE (no IB, no scale) gradcheck: ${checked} elements, worst ${worst.toExponential(2)} (${worstAt})`,
  );
  expect(checked).toBeGreaterThan(150);
  expect(net.params.some((p) => p.name.endsWith('.Ws'))).toBe(false);
  net.destroy();
}, 60_000);

it('IBKE starts as the raw gradient: c = 1 and zero heads give left = −α ū, right = δ̄; z = μ when editing', async () => {
  const ctx = await testContext();
  const cfg = config({ alphaInit: 0.3 });
  const net = new IbkeNet(ctx, DIMS, cfg);
  const tokens = randomTokens(ctx, DIMS, cfg.editedLayers, [4, 1]);
  const outs = net.forward(tokens, { train: false });
  for (const [i, f] of outs.entries()) {
    const u = await ctx.read(tokens.layers[i].u, 0, 5 * 4 * f.nIn);
    const d = await ctx.read(tokens.layers[i].delta, 0, 5 * 4 * f.nOut);
    (await ctx.read(f.left, 0, 5 * 4 * f.nIn)).forEach((v, j) => expect(v).toBeCloseTo(-0.3 * u[j], 6));
    (await ctx.read(f.right, 0, 5 * 4 * f.nOut)).forEach((v, j) => expect(v).toBeCloseTo(d[j], 6));
  }
  // Deterministic at edit time: a second forward gives the same KL (no sampling) and the same factors.
  const kl = await net.readKl();
  expect(kl).toBeGreaterThan(0);
  net.forward(tokens, { train: false, seed: 99 });
  expect(await net.readKl()).toBe(kl);
  net.destroy();
});
