// The post-edit loss's factor gradients (∂L/∂left = right·Gᵀ, ∂L/∂right = left·G with G captured through the
// edited backbone's backward, KL via soft targets) against central finite differences of the same loss
// recomputed by forward passes, on a tiny random GPT-2 with awkward sizes.

import { expect, it } from 'vitest';
import { randomArray, testContext } from '../../gpu/testing.ts';
import type { Gpt2Dims } from '../../model/gpt2/dims.ts';
import { Gpt2Model } from '../../model/gpt2/model.ts';
import { randomGpt2Weights } from '../../model/testing.ts';
import { defaultEditedLayers, editedShape } from '../hyper/layers.ts';
import type { FactorOutput } from '../hyper/types.ts';
import { PostEditObjective } from './objective.ts';
import { SideCarSwap } from './pass.ts';
import type { StepSample } from './sampler.ts';

const DIMS: Gpt2Dims = { nLayer: 2, nHead: 3, nEmbd: 12, nPositions: 16, vocabSize: 23, eps: 1e-5 };
const SAMPLES: StepSample[] = [
  {
    edit: { prompt: [1, 7, 22], target: [3, 9] },
    generality: { prompt: [4, 7, 2, 22], target: [3, 9] },
    locality: { prompt: [5, 6], target: [11, 12, 13] },
  },
  {
    edit: { prompt: [8], target: [14] },
    generality: { prompt: [0, 8, 19], target: [14] },
    locality: { prompt: [17, 2, 2, 20, 1], target: [6] },
  },
];
const RANK = 3;

it.each([
  ['all three terms', { rel: 0.7, gen: 1.3, loc: 2 }],
  ['the KL term alone', { rel: 0, gen: 0, loc: 1 }],
])(
  '∂L/∂left and ∂L/∂right through the edited model match central finite differences: %s',
  async (_, lambdas) => {
    const ctx = await testContext();
    const weights = randomGpt2Weights({ ...DIMS }, 3);
    for (const [name, w] of weights)
      if (name.endsWith('.weight') && !name.includes('ln')) w.forEach((v, i) => (w[i] = v * 4));
    const model = new Gpt2Model(ctx, DIMS, weights, 'objective');
    const edited = defaultEditedLayers(model);
    const swap = new SideCarSwap(model, edited);
    const objective = new PostEditObjective(model, edited, swap);
    const host = edited.map((key, i) => {
      const { nIn, nOut } = editedShape(model, key);
      return {
        key,
        nIn,
        nOut,
        left: randomArray(RANK * nIn, 10 + i, 0.3),
        right: randomArray(RANK * nOut, 20 + i, 0.3),
      };
    });
    const factors: FactorOutput[] = host.map((h) => ({
      ...h,
      rank: RANK,
      left: ctx.upload(`left.${h.key}`, h.left),
      right: ctx.upload(`right.${h.key}`, h.right),
    }));

    const rec = objective.record(SAMPLES, factors, lambdas, true);
    const terms = await rec.read();
    console.info(`terms: ${JSON.stringify(terms)}`);
    expect(terms.loc!).toBeGreaterThan(1e-2); // the edit really moves the locality distributions
    const analytic = await Promise.all(
      rec.dFactors.map(async (d, i) => ({
        left: await ctx.read(d.dLeft, 0, RANK * host[i].nIn * 4),
        right: await ctx.read(d.dRight, 0, RANK * host[i].nOut * 4),
      })),
    );

    const lossAt = async () => (await objective.record(SAMPLES, factors, lambdas, false).read()).total;
    const base = await lossAt();
    expect(Math.abs(base - terms.total)).toBeLessThan(1e-5); // forward-only and backward passes agree
    const h = 1e-2;
    let worst = 0;
    let checked = 0;
    for (const [i, f] of host.entries()) {
      for (const side of ['left', 'right'] as const) {
        const data = f[side];
        const buf = factors[i][side];
        for (const j of [0, 5, data.length - 1, Math.floor(data.length / 2) + 1]) {
          const keep = data[j];
          data[j] = keep + h;
          ctx.write(buf, data);
          const plus = await lossAt();
          data[j] = keep - h;
          ctx.write(buf, data);
          const minus = await lossAt();
          data[j] = keep;
          ctx.write(buf, data);
          const numeric = (plus - minus) / (2 * h);
          const got = analytic[i][side][j];
          const err = Math.abs(got - numeric) / Math.max(1e-3, Math.abs(numeric));
          worst = Math.max(worst, err);
          checked++;
          expect(err, `${f.key} ${side}[${j}]: analytic ${got}, numeric ${numeric}`).toBeLessThan(2e-2);
        }
      }
    }
    // The edit was a side-car only: the weights were never written, and restore took the terms out.
    const after = await model.params.download();
    for (const [name, w] of weights) expect(Array.from(after.get(name)!), name).toEqual(Array.from(w));
    expect(model.sideCar.empty).toBe(true);
    console.info(`objective gradcheck: ${checked} elements, worst relative error ${worst.toExponential(2)}`);
    objective.destroy();
    swap.destroy();
    model.destroy();
  },
);
