// The per-token gradient capture against the model's own dense gradient: Σ_t u_t δ_tᵀ must equal ∂L/∂W of
// every edited weight, for a batch of edits of different lengths (padding rows must not leak in).

import { expect, it } from 'vitest';
import { expectClose, testContext } from '../../gpu/testing.ts';
import { completionRows, makeBatch } from '../../model/gpt2/batch.ts';
import { GPT2_PRESETS } from '../../model/config.ts';
import { Gpt2Model } from '../../model/gpt2/model.ts';
import { Gpt2Parameters } from '../../model/gpt2/parameters.ts';
import { randomGpt2Weights } from '../../model/testing.ts';
import { matmulRef } from '../../reference/matmul.ts';
import { GradientCapture } from './capture.ts';
import { defaultEditedParams } from './layers.ts';

const DIMS = { ...GPT2_PRESETS.tiny, nLayer: 3 };
const EDITS = [
  { prompt: [5, 9, 12, 3], target: [7, 40] },
  { prompt: [1, 2], target: [30] },
  { prompt: [8, 8, 8, 8, 8], target: [2, 3, 4] },
];

it('Σ_t u_t δ_tᵀ of the captured tokens equals the dense gradient of Σ_e mean NLL_e', async () => {
  const ctx = await testContext();
  const model = new Gpt2Model(ctx, DIMS, randomGpt2Weights(DIMS, 3), 'capture-test');
  // Edit the top two blocks' MLPs plus an attention weight, so the backward must not stop after the MLP.
  const params = [...defaultEditedParams(DIMS, 2), 'h.2.attn.c_proj.weight'];
  const capture = new GradientCapture(model, params);
  const tokens = await capture.capture(EDITS);
  expect(tokens.editTokens).toEqual([5, 2, 7]);

  const batch = makeBatch(
    EDITS.map((e) => [...e.prompt, ...e.target]),
    DIMS.nPositions,
  );
  const rows = completionRows(
    batch,
    EDITS.map((e) => e.prompt.length),
    EDITS.length,
  );
  const grads = new Gpt2Parameters(ctx, DIMS, 'capture-test.grad');
  grads.zero();
  const { loss } = await model.run(batch, rows, { backward: { grads, wantGrad: (n) => params.includes(n) } });
  expect(tokens.loss).toBeCloseTo(loss, 5);
  for (const l of tokens.layers) {
    const N = l.tokens;
    const u = await ctx.read(l.u, 0, N * l.nIn * 4);
    const d = await ctx.read(l.delta, 0, N * l.nOut * 4);
    const fromTokens = matmulRef(u, d, { M: l.nIn, N: l.nOut, K: N, transA: true });
    const dense = await ctx.read(grads.get(l.param));
    expectClose(l.param, fromTokens, dense, 1e-6, 1e-4);
    expect(Math.max(...dense.map(Math.abs))).toBeGreaterThan(1e-4);
  }
  capture.destroy();
  grads.destroy();
  model.destroy();
});
