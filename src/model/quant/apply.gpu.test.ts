// A model whose linears were quantized in place runs exactly like an f32 model holding the dequantised values:
// same losses and same (u, δ) at every linear, through the forward and the backward the editors use, for
// GPT-2 (Conv1D, in_out) and Qwen3 (nn.Linear, out_in).

import { describe, expect, it } from 'vitest';
import { expectClose, testContext } from '../../gpu/testing.ts';
import { packWeight, unpackWeight } from '../../reference/quant.ts';
import { languageModelRows, makeBatch } from '../batch.ts';
import { GPT2_PRESETS } from '../config.ts';
import { createLanguageModel } from '../factory.ts';
import type { LanguageModel } from '../language-model.ts';
import { tinyLlamaCheckpoint, tinyQwen3Config } from '../llama-testing.ts';
import { tinyCheckpoint } from '../testing.ts';
import type { ModelCheckpoint } from '../checkpoint.ts';
import { quantizeModelLinears, storageShape, type WeightDtype } from './apply.ts';

async function lossesAndGrads(model: LanguageModel) {
  const batch = makeBatch(
    [
      [1, 5, 9, 2, 7],
      [3, 4, 8],
    ],
    5,
  );
  const deltas: Float32Array[] = [];
  const pending: Promise<Float32Array>[] = [];
  const res = await model.run(batch, languageModelRows(batch), {
    backward: {
      onLinear: (_b, _r, _u, delta) => {
        // Copy now: the buffer is reused later in the pass.
        const copy = model.ctx.buffer('delta copy', delta.size);
        model.ctx.copy(delta, 0, copy, 0, delta.size);
        pending.push(model.ctx.read(copy).finally(() => copy.destroy()));
      },
    },
  });
  for (const p of pending) deltas.push(await p);
  return { losses: res.losses, deltas };
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

describe.each(CASES)('%s with quantized linears', (_name, make) => {
  for (const dtype of ['f16', 'int8', 'int4'] as WeightDtype[]) {
    it(`${dtype}: forward and backward equal an f32 model holding the dequantised weights`, async () => {
      const ctx = await testContext();
      const ckpt = make();
      const quant = createLanguageModel(ctx, ckpt, 'quant');
      const report = await quantizeModelLinears(quant, dtype);
      expect(report.packedBytes).toBeLessThan(report.f32Bytes);
      // The twin: f32 weights equal to what the packed ones decode to.
      const twinWeights = new Map(ckpt.weights);
      const format = dtype === 'int8' ? 'q8_0' : dtype === 'int4' ? 'q4_0' : 'f16';
      for (const s of quant.linears) {
        const [rows, cols] = storageShape(s.order, s.nIn, s.nOut);
        twinWeights.set(s.param, unpackWeight(packWeight(ckpt.weights.get(s.param)!, rows, cols, format)));
      }
      const twin = createLanguageModel(ctx, { ...ckpt, weights: twinWeights }, 'twin');
      const a = await lossesAndGrads(quant);
      const b = await lossesAndGrads(twin);
      expectClose('losses', a.losses, b.losses, 2e-5, 2e-5);
      expect(a.deltas.length).toBe(b.deltas.length);
      expect(a.deltas.length).toBe(quant.linears.length);
      a.deltas.forEach((d, i) => expectClose(`delta ${i}`, d, b.deltas[i], 2e-5, 1e-3));
      expect(quant.linearWeight(0, quant.linears[0].role).format).toBe(format);
      quant.destroy();
      twin.destroy();
    });
  }
});
