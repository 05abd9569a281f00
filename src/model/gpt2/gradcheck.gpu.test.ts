// Finite-difference check of the whole model: the hand-written backward (every kernel's backward chained
// through the residual stream) against central differences of the GPU forward loss, on a tiny config with
// awkward sizes (head size 4, vocab 23, two sequences of different lengths).

import { expect, it } from 'vitest';
import { randomArray, testContext } from '../../gpu/testing.ts';
import { languageModelRows, makeBatch } from './batch.ts';
import { parameterShapes, type Gpt2Dims } from './dims.ts';
import { Gpt2Model } from './model.ts';
import { Gpt2Parameters } from './parameters.ts';

const DIMS: Gpt2Dims = { nLayer: 2, nHead: 3, nEmbd: 12, nPositions: 16, vocabSize: 23, eps: 1e-5 };
const SEQS = [
  [1, 7, 22, 3, 9],
  [4, 0, 15],
];

function randomWeights(dims: Gpt2Dims): Map<string, Float32Array> {
  const w = new Map<string, Float32Array>();
  parameterShapes(dims).forEach(([name, shape], i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const r = randomArray(n, 1000 + i, 0.4);
    if (name.endsWith('ln_1.weight') || name.endsWith('ln_2.weight') || name === 'ln_f.weight')
      r.forEach((v, j) => (r[j] = 1 + v / 4));
    w.set(name, r);
  });
  return w;
}

it('every parameter gradient matches central finite differences of the loss', async () => {
  const ctx = await testContext();
  const weights = randomWeights(DIMS);
  const model = new Gpt2Model(ctx, DIMS, weights, 'gradcheck');
  const grads = new Gpt2Parameters(ctx, DIMS, 'gradcheck.grad');
  const batch = makeBatch(SEQS, DIMS.nPositions);
  const rows = languageModelRows(batch);
  grads.zero();
  await model.run(batch, rows, { backward: { grads } });
  const analytic = await grads.download();

  const h = 1e-2;
  let worst = 0;
  let checked = 0;
  for (const [name, data] of weights) {
    const g = analytic.get(name)!;
    // Three elements per tensor: the largest |gradient| and two fixed picks.
    let big = 0;
    g.forEach((v, i) => (Math.abs(v) > Math.abs(g[big]) ? (big = i) : 0));
    for (const i of new Set([big, 0, Math.floor(data.length / 2)])) {
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
  console.log(`gradcheck: ${checked} elements, worst relative error ${worst.toExponential(2)}`);
  expect(checked).toBeGreaterThan(60);
  model.destroy();
  grads.destroy();
});
