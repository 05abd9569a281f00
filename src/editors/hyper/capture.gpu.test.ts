// The per-token gradient capture against the model's own dense gradient: Σ_t u_t δ_tᵀ must equal ∂L/∂W of
// every edited weight, for a batch of edits of different lengths (padding rows must not leak in).

import { expect, it } from 'vitest';
import { expectClose, testContext } from '../../gpu/testing.ts';
import { completionRows, makeBatch } from '../../model/batch.ts';
import { matmulRef } from '../../reference/matmul.ts';
import { logicalGradient, tinyRandomTarget, TOY_ARCHITECTURES } from '../toy-model.testing.ts';
import { GradientCapture } from './capture.ts';
import { defaultEditedLayers, editedShape } from './layers.ts';

const EDITS = [
  { prompt: [5, 9, 12, 3], target: [7, 40] },
  { prompt: [1, 2], target: [30] },
  { prompt: [8, 8, 8, 8, 8], target: [2, 3, 4] },
];

it.each(TOY_ARCHITECTURES)(
  '%s: Σ_t u_t δ_tᵀ of the captured tokens equals the dense gradient of Σ_e mean NLL_e',
  async (arch) => {
    const ctx = await testContext();
    const { model } = tinyRandomTarget(ctx, arch, 3);
    // Edit both blocks' MLPs plus the top block's attention output, so the backward must not stop after the MLP.
    const keys = [...defaultEditedLayers(model, 2), '1.attn.out'];
    const capture = new GradientCapture(model, keys);
    const tokens = await capture.capture(EDITS);
    expect(tokens.editTokens).toEqual([5, 2, 7]);

    const batch = makeBatch(
      EDITS.map((e) => [...e.prompt, ...e.target]),
      model.dims.nPositions,
    );
    const rows = completionRows(
      batch,
      EDITS.map((e) => e.prompt.length),
      EDITS.length,
    );
    const grads = model.createGradients('capture-test.grad');
    grads.zero();
    const params = keys.map((k) => editedShape(model, k)).map((w) => model.linear(w.block, w.role).param);
    const { loss } = await model.run(batch, rows, {
      backward: { grads, wantGrad: (n) => params.includes(n) },
    });
    expect(tokens.loss).toBeCloseTo(loss, 5);
    for (const l of tokens.layers) {
      const N = l.tokens;
      const u = await ctx.read(l.u, 0, N * l.nIn * 4);
      const d = await ctx.read(l.delta, 0, N * l.nOut * 4);
      const fromTokens = matmulRef(u, d, { M: l.nIn, N: l.nOut, K: N, transA: true });
      const { block, role } = editedShape(model, l.key);
      const dense = await logicalGradient(model, grads, block, role);
      expectClose(l.key, fromTokens, dense, 1e-6, 1e-4);
      expect(Math.max(...dense.map(Math.abs))).toBeGreaterThan(1e-4);
    }
    capture.destroy();
    grads.destroy();
    model.destroy();
  },
);
