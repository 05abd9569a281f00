// Finite-difference check of the whole Llama/Qwen3 model: the hand-written backward (every kernel's backward
// chained through the residual stream) against central differences of the GPU forward loss, on tiny configs
// with awkward sizes: grouped-query attention (4 heads over 2, then over 1), head_dim 6 ≠ hidden/heads, Qwen3's
// q/k norm, attention biases (Qwen2's q/k/v, attention_bias's q/k/v/o), tied and untied heads, two sequences of
// different lengths.

import { describe, expect, it } from 'vitest';
import { randomArray, testContext } from '../../gpu/testing.ts';
import { languageModelRows, makeBatch } from '../batch.ts';
import { parameterShapes, type LlamaDims } from './dims.ts';
import { LlamaModel } from './model.ts';
import { LlamaParameters } from './parameters.ts';

const BASE: LlamaDims = {
  architecture: 'qwen3',
  nLayer: 2,
  nEmbd: 10,
  nPositions: 16,
  vocabSize: 23,
  nHead: 4,
  nKvHead: 2,
  headDim: 6,
  nInner: 14,
  eps: 1e-6,
  ropeTheta: 10000,
  tiedEmbeddings: true,
  attentionBias: 'none',
  qkNorm: true,
};
const SEQS = [
  [1, 7, 22, 3, 9],
  [4, 0, 15],
];

function randomWeights(dims: LlamaDims): Map<string, Float32Array> {
  const w = new Map<string, Float32Array>();
  parameterShapes(dims).forEach(([name, shape], i) => {
    const r = randomArray(
      shape.reduce((a, b) => a * b, 1),
      1000 + i,
      0.4,
    );
    if (name.endsWith('norm.weight')) r.forEach((v, j) => (r[j] = 1 + v / 4));
    w.set(name, r);
  });
  return w;
}

describe.each<[string, Partial<LlamaDims>, number]>([
  ['Qwen3 (q/k norm, GQA, tied)', {}, 2],
  [
    'Llama with attention_bias (q/k/v/o biases; Qwen2 has the q/k/v ones), 4 heads over 1, untied',
    { architecture: 'llama', qkNorm: false, attentionBias: 'qkvo', tiedEmbeddings: false, nKvHead: 1 },
    1,
  ],
])('%s', (_, overrides, perTensor) => {
  it('every parameter gradient matches central finite differences of the loss', async () => {
    const dims = { ...BASE, ...overrides };
    const ctx = await testContext();
    const weights = randomWeights(dims);
    const model = new LlamaModel(ctx, dims, weights, 'gradcheck');
    const grads = new LlamaParameters(ctx, dims, 'gradcheck.grad');
    const batch = makeBatch(SEQS, dims.nPositions);
    const rows = languageModelRows(batch);
    grads.zero();
    await model.run(batch, rows, { backward: { grads } });
    const analytic = await grads.download();

    const h = 1e-2;
    let worst = 0;
    let checked = 0;
    for (const [name, data] of weights) {
      const g = analytic.get(name)!;
      let big = 0;
      g.forEach((v, i) => (Math.abs(v) > Math.abs(g[big]) ? (big = i) : 0));
      // The largest |gradient| and (perTensor 2) the middle element.
      for (const i of new Set([big, Math.floor(data.length / 2)].slice(0, perTensor))) {
        const original = data[i];
        const lossAt = async (value: number) => {
          data[i] = value;
          ctx.write(model.params.get(name), data);
          return (await model.run(batch, rows)).loss;
        };
        const fd = ((await lossAt(original + h)) - (await lossAt(original - h))) / (2 * h);
        data[i] = original;
        ctx.write(model.params.get(name), data);
        const err = Math.abs(fd - g[i]);
        worst = Math.max(worst, err / (1e-3 + Math.abs(g[i])));
        expect(err, `${name}[${i}]: analytic ${g[i]}, finite difference ${fd}`).toBeLessThan(
          2e-3 + 0.03 * Math.abs(g[i]),
        );
        checked++;
      }
    }
    console.log(
      `llama gradcheck (${dims.architecture}): ${checked} elements, worst relative error ${worst.toExponential(2)}`,
    );
    expect(checked).toBeGreaterThanOrEqual(parameterShapes(dims).length);
    model.destroy();
    grads.destroy();
  });
});
