// Models loaded straight into packed weights (loadLanguageModel): the GPU holds the packed sizes only (no f32
// copy of the linears or the embedding), the outputs and every (u, δ) equal an f32 model holding the dequantised
// values, and a side-car edit on top of the packed weights reverts exactly. GPT-2 (Conv1D in_out, wte + wpe)
// and Qwen3 (nn.Linear out_in, tied head).

import { describe, expect, it } from 'vitest';
import { expectClose, testContext } from '../../gpu/testing.ts';
import { unpackWeight } from '../../reference/quant.ts';
import { languageModelRows, makeBatch } from '../batch.ts';
import type { ModelCheckpoint } from '../checkpoint.ts';
import { GPT2_PRESETS } from '../config.ts';
import { createLanguageModel, loadLanguageModel, weightPlan } from '../factory.ts';
import type { LanguageModel } from '../language-model.ts';
import { tinyLlamaCheckpoint, tinyQwen3Config } from '../llama-testing.ts';
import { tinyCheckpoint } from '../testing.ts';
import type { WeightDtype } from './apply.ts';
import { mapSource, planBytes, toPlannedFormat } from './load.ts';

const BATCH = makeBatch(
  [
    [1, 5, 9, 2, 7],
    [3, 4, 8],
  ],
  5,
);

/** Losses, head probabilities and every linear's δ of one forward + backward. */
async function observe(model: LanguageModel) {
  const pending: Promise<Float32Array>[] = [];
  const res = await model.run(BATCH, languageModelRows(BATCH), {
    readProbs: true,
    backward: {
      onLinear: (_b, _r, _u, delta) => {
        const copy = model.ctx.buffer('delta copy', delta.size);
        model.ctx.copy(delta, 0, copy, 0, delta.size);
        pending.push(model.ctx.read(copy).finally(() => copy.destroy()));
      },
    },
  });
  return { losses: res.losses, probs: res.probs!, deltas: await Promise.all(pending) };
}

const CASES: [string, () => ModelCheckpoint][] = [
  [
    'GPT-2',
    () => {
      const c = tinyCheckpoint({ ...GPT2_PRESETS.tiny, nEmbd: 40, nHead: 2 }, 3);
      return { ...c, config: { ...c.config, architecture: 'gpt2' as const }, dtype: 'F32' };
    },
  ],
  ['Qwen3', () => tinyLlamaCheckpoint(tinyQwen3Config({ nEmbd: 40, nInner: 72 }), 3)],
];

describe.each(CASES)('%s loaded packed', (_name, make) => {
  for (const dtype of ['int8', 'int4'] as WeightDtype[]) {
    it(`${dtype}: GPU bytes are the packed sizes; outputs equal the dequantised f32 twin; an edit reverts exactly`, async () => {
      const ctx = await testContext();
      const ckpt = make();
      const plan = weightPlan(ckpt.config, dtype);
      const before = ctx.bytesCreated;
      const progress: number[] = [];
      const { model, gpuWeightBytes } = await loadLanguageModel(ctx, ckpt.config, mapSource(ckpt.weights), {
        dtype,
        label: 'packed',
        onProgress: (p) => progress.push(p.done),
      });
      const allocated = ctx.bytesCreated - before;
      // Parameters: exactly the plan's packed sizes; the rest of the load (top-k and side-car scratch) is small.
      expect(gpuWeightBytes).toBe(planBytes(plan));
      expect(allocated).toBeGreaterThanOrEqual(gpuWeightBytes);
      expect(allocated - gpuWeightBytes).toBeLessThan(64 * 1024);
      const f32Bytes = plan.reduce((a, t) => a + 4 * t.shape.reduce((x, y) => x * y, 1), 0);
      expect(gpuWeightBytes).toBeLessThan((dtype === 'int4' ? 0.45 : 0.55) * f32Bytes);
      expect(progress).toEqual(plan.map((_, i) => i + 1));
      expect(model.linearWeight(0, model.linears[0].role).format).toBe(dtype === 'int8' ? 'q8_0' : 'q4_0');
      expect(() => model.createTrainer()).toThrow(/frozen: load it as f32/);

      // The twin: f32 everywhere, holding what the packed tensors decode to.
      const twinWeights = new Map(ckpt.weights);
      for (const t of plan) {
        if (t.format === 'f32') continue;
        const p = toPlannedFormat(t, ckpt.weights.get(t.name)!);
        twinWeights.set(t.name, p instanceof Float32Array ? p : unpackWeight(p));
        // readParameter returns the dequantised values exactly.
        expectClose(
          `readParameter ${t.name}`,
          await model.readParameter(t.name),
          twinWeights.get(t.name)!,
          0,
          0,
        );
      }
      const twin = createLanguageModel(ctx, { ...ckpt, weights: twinWeights }, 'twin');
      const a = await observe(model);
      const b = await observe(twin);
      expectClose('losses', a.losses, b.losses, 2e-5, 2e-5);
      expectClose('probs', a.probs, b.probs, 1e-6, 1e-4);
      expect(a.deltas.length).toBe(model.linears.length);
      a.deltas.forEach((d, i) => expectClose(`delta ${i}`, d, b.deltas[i], 2e-5, 1e-3));
      // Generation with the KV cache (GPT-2's decoder has its own embedding lookup and head).
      expect(await model.generate([1, 5, 9], 4)).toEqual(await twin.generate([1, 5, 9], 4));

      // An edit beside the packed weights: a rank-1 side-car term on the middle block's mlp.down.
      const spec = model.linear(0, 'mlp.down');
      const left = ctx.upload(
        'left',
        Float32Array.from({ length: spec.nIn }, (_, i) => Math.sin(i) * 0.5),
      );
      const right = ctx.upload(
        'right',
        Float32Array.from({ length: spec.nOut }, (_, j) => Math.cos(j) * 0.5),
      );
      const term = { kind: 'low_rank' as const, rank: 1, left, right };
      model.sideCar.set('edit', 0, 'mlp.down', term);
      twin.sideCar.set('edit', 0, 'mlp.down', term);
      const edited = await observe(model);
      const editedTwin = await observe(twin);
      expect(Math.abs(edited.losses[0] - a.losses[0])).toBeGreaterThan(1e-4);
      expectClose('edited losses', edited.losses, editedTwin.losses, 2e-5, 2e-5);
      edited.deltas.forEach((d, i) => expectClose(`edited delta ${i}`, d, editedTwin.deltas[i], 2e-5, 1e-3));
      model.sideCar.clear('edit');
      const reverted = await observe(model);
      // Bit-exact: the packed weights were never written.
      expect(Array.from(reverted.losses)).toEqual(Array.from(a.losses));
      expect(Array.from(reverted.probs)).toEqual(Array.from(a.probs));
      left.destroy();
      right.destroy();
      model.destroy();
      twin.destroy();
    });
  }
});
