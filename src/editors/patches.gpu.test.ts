// PatchStack's side-car on both architectures: applying patches as factors next to the frozen weights gives the
// same model as merging ΔW into the weights (forward and backward), the weights are never written, and revert in
// any order is exact (bit for bit the model with only the remaining patches).

import { describe, expect, it } from 'vitest';
import { expectClose, randomArray, testContext } from '../gpu/testing.ts';
import { languageModelRows, makeBatch } from '../model/batch.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { FT_ROLE } from './ft.ts';
import { PatchStack } from './patches.ts';
import { logicalGradient, tinyRandomTarget, TOY_ARCHITECTURES } from './toy-model.testing.ts';
import type { Patch, WeightDelta } from './types.ts';

const SEQS = [
  [3, 9, 27, 5, 1],
  [8, 2],
];

function lowRank(model: LanguageModel, block: number, role: WeightDelta['role'], rank: number, seed: number) {
  const { nIn, nOut, param } = model.linear(block, role);
  return {
    block,
    role,
    param,
    nIn,
    nOut,
    rank,
    left: randomArray(rank * nIn, seed, 0.3),
    right: randomArray(rank * nOut, seed + 1, 0.3),
  };
}

function dense(model: LanguageModel, block: number, seed: number): WeightDelta {
  const { nIn, nOut, param } = model.linear(block, FT_ROLE);
  const d = randomArray(nIn * nOut, seed, 0.05);
  // The factor fields are unused by PatchStack for a dense delta; keep them consistent (rank nIn, left = I).
  const left = new Float32Array(nIn * nIn);
  for (let i = 0; i < nIn; i++) left[i * nIn + i] = 1;
  return { block, role: FT_ROLE, param, nIn, nOut, rank: nIn, left, right: d, dense: d };
}

const patch = (id: string, deltas: WeightDelta[]): Patch => ({
  id,
  method: 'mend',
  request: { prompt: 'p', subject: 'p', target: 't' },
  deltas,
  info: {},
});

async function lossAndGrads(model: LanguageModel, keys: [number, WeightDelta['role']][]) {
  const batch = makeBatch(SEQS, model.dims.nPositions);
  const grads = model.createGradients('patch-test.grad');
  grads.zero();
  const { loss, probs } = await model.run(batch, languageModelRows(batch), {
    readProbs: true,
    backward: { grads },
  });
  const g = await Promise.all(keys.map(([b, r]) => logicalGradient(model, grads, b, r)));
  grads.destroy();
  return { loss, probs: probs!, g };
}

describe.each(TOY_ARCHITECTURES)('PatchStack on a %s', (arch) => {
  it('side-car factors equal merged weights in the forward and the backward; weights untouched', async () => {
    const ctx = await testContext();
    const { model } = tinyRandomTarget(ctx, arch, 11);
    const roles = model.linears.filter((l) => l.block === 0).map((l) => l.role);
    const a = patch('a', [lowRank(model, 0, 'mlp.down', 2, 1), lowRank(model, 1, roles[0], 3, 5)]);
    const b = patch('b', [lowRank(model, 0, 'mlp.down', 1, 9), dense(model, 1, 13)]);
    const w0 = await model.exportWeights();
    const stack = new PatchStack(model);
    stack.apply(a);
    stack.apply(b);
    const keys: [number, WeightDelta['role']][] = [
      [0, 'attn.out'],
      [1, 'mlp.down'],
    ];
    const side = await lossAndGrads(model, keys);
    // The weights themselves are never written.
    const raw = await model.exportWeights({ merged: false });
    for (const [name, w] of w0) expect(Array.from(raw.get(name)!), name).toEqual(Array.from(w));
    // The same model with ΔW merged into its weights.
    const merged = await stack.mergedWeights();
    const twin = tinyRandomTarget(ctx, arch, 0, merged).model;
    const ref = await lossAndGrads(twin, keys);
    expect(side.loss).toBeCloseTo(ref.loss, 5);
    expectClose('probabilities', side.probs, ref.probs, 1e-5, 1e-4);
    keys.forEach(([blk, r], i) => expectClose(`∂L/∂W ${blk}.${r}`, side.g[i], ref.g[i], 1e-5, 1e-3));
    twin.destroy();
    stack.destroy();
    model.destroy();
  });

  it('revert in any order is bit-exact: the model with only the remaining patches', async () => {
    const ctx = await testContext();
    const { model } = tinyRandomTarget(ctx, arch, 12);
    const dist = async () => (await model.nextTokenDistributions(SEQS)).flatMap((d) => Array.from(d));
    const p1 = patch('p1', [lowRank(model, 0, 'mlp.down', 1, 21)]);
    const p2 = patch('p2', [lowRank(model, 0, 'mlp.down', 2, 23), dense(model, 0, 25)]);
    const p3 = patch('p3', [lowRank(model, 1, 'mlp.down', 1, 27), dense(model, 0, 29)]);
    const base = await dist();
    const stack = new PatchStack(model);
    stack.apply(p1);
    stack.apply(p3);
    const only13 = await dist();
    stack.reset();
    expect(await dist()).toEqual(base);
    stack.apply(p1);
    stack.apply(p2);
    stack.apply(p3);
    const all = await dist();
    expect(all).not.toEqual(only13);
    stack.revert('p2'); // from the middle
    expect(await dist()).toEqual(only13);
    stack.revert('p1');
    stack.revert('p3');
    expect(await dist()).toEqual(base);
    expect(model.sideCar.empty).toBe(true);
    expect(() => stack.apply(patch('bad', [{ ...lowRank(model, 0, 'mlp.down', 1, 1), nIn: 7 }]))).toThrow(
      /made for another model/,
    );
    stack.destroy();
    model.destroy();
  });
});
