// MEND and IBKE as Editors: their files round-trip, bad files fail with EditorWeightsError, and an edit is a
// Patch whose ΔW is what the network says. Trained editors come from `editscope train-editor`; here the networks
// are freshly initialised, which makes both exactly one normalised-gradient step −α Σ_t ū_t δ̄_tᵀ: with no
// statistics yet (count 0) that is −α·∂L/∂W, checked against the model's own gradient.

import { describe, expect, it } from 'vitest';
import { expectClose, testContext } from '../gpu/testing.ts';
import { completionRows, makeBatch } from '../model/batch.ts';
import { matmulRef } from '../reference/matmul.ts';
import { serializeEditorFiles } from './hyper/files.ts';
import { createHypernet, defaultIbkeConfig, defaultMendConfig } from './hyper/index.ts';
import { IbkeEditor } from './ibke.ts';
import { MendEditor } from './mend.ts';
import { PatchStack } from './patches.ts';
import { tokenizeRequest } from './request.ts';
import {
  logicalGradient,
  tinyRandomTarget,
  TOY_ARCHITECTURES,
  type ToyArchitecture,
} from './toy-model.testing.ts';
import { EditorWeightsError } from './types.ts';

const REQUEST = { prompt: 'the cat sat on the', subject: 'the cat', target: ' dog' };

async function setup(method: 'mend' | 'ibke', arch: ToyArchitecture, alphaInit: number) {
  const ctx = await testContext();
  const target = tinyRandomTarget(ctx, arch);
  const { model } = target;
  const config =
    method === 'mend'
      ? defaultMendConfig(model, { alphaInit })
      : defaultIbkeConfig(model, { alphaInit, dHidden: 16, dLatent: 8 });
  const fresh = createHypernet(ctx, model, config);
  const files = serializeEditorFiles(await fresh.save(), model);
  fresh.destroy();
  return { ctx, model, target, files };
}

const CASES = TOY_ARCHITECTURES.flatMap((arch) => (['mend', 'ibke'] as const).map((m) => [m, arch] as const));

describe.each(CASES)('%s editor on a tiny %s', (method, arch) => {
  const load = method === 'mend' ? MendEditor.load : IbkeEditor.load;

  it('an untrained editor edits by −α·∂L/∂W, and a large enough step makes the target the argmax', async () => {
    const { model, target, files } = await setup(method, arch, 0.5);
    const editor = load(model, files);
    const patch = await editor.edit(target, REQUEST);
    expect(patch.method).toBe(method);
    // The default edited layers: the MLP's layers of both blocks, by role.
    const roles = arch === 'gpt2' ? ['mlp.in', 'mlp.down'] : ['mlp.gate', 'mlp.up', 'mlp.down'];
    expect(patch.deltas.map((d) => `${d.block}.${d.role}`)).toEqual(
      [0, 1].flatMap((b) => roles.map((r) => `${b}.${r}`)),
    );
    expect(patch.deltas.map((d) => d.param)).toEqual(
      patch.deltas.map((d) => model.linear(d.block, d.role).param),
    );
    // The model's own gradient of the edit loss (in storage order: transposed for nn.Linear weights).
    const { prompt, target: tgt } = tokenizeRequest(target, REQUEST);
    const batch = makeBatch([[...prompt, ...tgt]], model.dims.nPositions);
    const grads = model.createGradients('editor-test.grad');
    grads.zero();
    await model.run(batch, completionRows(batch, [prompt.length]), { backward: { grads } });
    for (const d of patch.deltas) {
      const dW = matmulRef(d.left, d.right, { M: d.nIn, N: d.nOut, K: d.rank, transA: true });
      const g = await logicalGradient(model, grads, d.block, d.role);
      expectClose(
        d.param,
        dW,
        g.map((v) => -0.5 * v),
        1e-6,
        1e-3,
      );
    }
    const before = (await model.topNext([prompt], 1))[0][0].id;
    const stack = new PatchStack(model);
    // Step scale: the same patch, larger (a freshly initialised α is small by design).
    // How large depends on the backbone (a gradient step can overshoot): the first of a few scales that works.
    let after = before;
    let scale = 0;
    for (scale of [40, 10, 100, 4, 1, 0.25]) {
      const big = await editor.edit(target, REQUEST, { stepScale: scale });
      expect(big.deltas[0].left[0]).toBeCloseTo(scale * patch.deltas[0].left[0], 4);
      stack.apply(big);
      after = (await model.topNext([prompt], 1))[0][0].id;
      stack.revert(big.id);
      if (after === tgt[0]) break;
    }
    console.info(
      `${method} (${arch}): top-1 before ${before}, after ${after} at step scale ${scale}, target ${tgt[0]}`,
    );
    expect(after).toBe(tgt[0]);
    expect((await model.topNext([prompt], 1))[0][0].id).toBe(before);
    stack.destroy();
    editor.destroy();
    grads.destroy();
    model.destroy();
  });

  it('a batch edit concatenates the edits’ tokens; files round-trip exactly', async () => {
    const { model, target, files } = await setup(method, arch, 0.01);
    const a = load(model, files);
    const b = load(model, files);
    const other = { prompt: 'a bird is', subject: 'a bird', target: ' red' };
    const one = await a.edit(target, REQUEST);
    const two = await b.editBatch!(target, [REQUEST, other]);
    expect(two.info.edits).toBe(2);
    expect(two.deltas[0].rank).toBeGreaterThan(one.deltas[0].rank);
    // The first edit's rows are the single edit's rows (untrained: each token maps independently).
    const r = one.deltas[0].rank;
    expectClose(
      'first edit rows',
      two.deltas[0].left.subarray(0, r * model.dims.nEmbd),
      one.deltas[0].left,
      1e-6,
      1e-5,
    );
    const saved = await a.net.save();
    const again = await b.net.save();
    for (const [i, t] of saved.tensors.entries())
      expect(Array.from(again.tensors[i].data)).toEqual(Array.from(t.data));
    a.destroy();
    b.destroy();
    model.destroy();
  });

  it('files that do not fit the model fail with EditorWeightsError and a sentence', async () => {
    const { model, files } = await setup(method, arch, 0.01);
    const cfg = JSON.parse(files.config);
    const bad =
      (config: string, weights = files.weights) =>
      () =>
        load(model, { config, weights });
    expect(bad('{ not json')).toThrow(EditorWeightsError);
    expect(bad(JSON.stringify({ ...cfg, backbone: { ...cfg.backbone, nEmbd: 32 } }))).toThrow(
      /trained for a model with 2 blocks of width 32/,
    );
    const other = method === 'mend' ? 'ibke' : 'mend';
    expect(bad(JSON.stringify({ ...cfg, config: { ...cfg.config, method: other } }))).toThrow(
      `describes a ${other} editor`,
    );
    expect(bad(JSON.stringify({ ...cfg, config: { ...cfg.config, editedLayers: ['7.mlp.down'] } }))).toThrow(
      /does not fit this model/,
    );
    // An editor trained for another architecture is refused with a sentence naming both.
    const foreign = arch === 'gpt2' ? 'qwen3' : 'gpt2';
    expect(bad(JSON.stringify({ ...cfg, architecture: foreign }))).toThrow(
      `trained for a ${foreign} model; the loaded model is ${arch}`,
    );
    // A config whose sizes disagree with the tensors: the missing or resized tensor is named.
    const key = method === 'mend' ? 'rank' : 'dHidden';
    expect(bad(JSON.stringify({ ...cfg, config: { ...cfg.config, [key]: cfg.config[key] + 1 } }))).toThrow(
      EditorWeightsError,
    );
    expect(bad(files.config, files.weights.subarray(0, 40))).toThrow(EditorWeightsError);
    model.destroy();
  });
});
