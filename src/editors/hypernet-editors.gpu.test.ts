// MEND and IBKE as Editors: their files round-trip, bad files fail with EditorWeightsError, and an edit is a
// Patch whose ΔW is what the network says. Trained editors come from `editscope train-editor`; here the networks
// are freshly initialised, which makes both exactly one normalised-gradient step −α Σ_t ū_t δ̄_tᵀ: with no
// statistics yet (count 0) that is −α·∂L/∂W, checked against the model's own gradient.

import { describe, expect, it } from 'vitest';
import { expectClose, testContext } from '../gpu/testing.ts';
import { GPT2_PRESETS } from '../model/config.ts';
import { completionRows, makeBatch } from '../model/gpt2/batch.ts';
import { Gpt2Model } from '../model/gpt2/model.ts';
import { Gpt2Parameters } from '../model/gpt2/parameters.ts';
import { tinyCheckpoint } from '../model/testing.ts';
import { matmulRef } from '../reference/matmul.ts';
import { serializeEditorFiles } from './hyper/files.ts';
import { createHypernet, defaultIbkeConfig, defaultMendConfig } from './hyper/index.ts';
import { IbkeEditor } from './ibke.ts';
import { MendEditor } from './mend.ts';
import { PatchStack } from './patches.ts';
import { tokenizeRequest } from './request.ts';
import { EditorWeightsError, type EditTarget } from './types.ts';

const DIMS = GPT2_PRESETS.tiny;
const REQUEST = { prompt: 'the cat sat on the', subject: 'the cat', target: ' dog' };

async function setup(method: 'mend' | 'ibke', alphaInit: number) {
  const ctx = await testContext();
  const ckpt = tinyCheckpoint(DIMS, 5);
  const model = new Gpt2Model(ctx, DIMS, ckpt.weights, `${method}-editor-test`);
  const target: EditTarget = { model, tokenizer: ckpt.tokenizer };
  const config =
    method === 'mend'
      ? defaultMendConfig(DIMS, { alphaInit })
      : defaultIbkeConfig(DIMS, { alphaInit, dHidden: 16, dLatent: 8 });
  const fresh = createHypernet(ctx, DIMS, config);
  const files = serializeEditorFiles(await fresh.save(), DIMS);
  fresh.destroy();
  return { ctx, model, target, files };
}

describe.each(['mend', 'ibke'] as const)('%s editor', (method) => {
  const load = method === 'mend' ? MendEditor.load : IbkeEditor.load;

  it('an untrained editor edits by −α·∂L/∂W, and a large enough step makes the target the argmax', async () => {
    const { ctx, model, target, files } = await setup(method, 0.5);
    const editor = load(model, files);
    const patch = await editor.edit(target, REQUEST);
    expect(patch.method).toBe(method);
    expect(patch.deltas.map((d) => d.param)).toEqual([
      'h.0.mlp.c_fc.weight',
      'h.0.mlp.c_proj.weight',
      'h.1.mlp.c_fc.weight',
      'h.1.mlp.c_proj.weight',
    ]);
    // The model's own gradient of the edit loss.
    const { prompt, target: tgt } = tokenizeRequest(target, REQUEST);
    const batch = makeBatch([[...prompt, ...tgt]], DIMS.nPositions);
    const grads = new Gpt2Parameters(ctx, DIMS, 'editor-test.grad');
    grads.zero();
    await model.run(batch, completionRows(batch, [prompt.length]), { backward: { grads } });
    for (const d of patch.deltas) {
      const dW = matmulRef(d.left, d.right, { M: d.nIn, N: d.nOut, K: d.rank, transA: true });
      const g = await ctx.read(grads.get(d.param));
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
    const big = await editor.edit(target, REQUEST, { stepScale: 40 });
    expect(big.deltas[0].left[0]).toBeCloseTo(40 * patch.deltas[0].left[0], 4);
    stack.apply(big);
    const after = (await model.topNext([prompt], 1))[0][0].id;
    console.info(`${method}: top-1 before ${before}, after ${after}, target ${tgt[0]}`);
    expect(after).toBe(tgt[0]);
    stack.revert(big.id);
    expect((await model.topNext([prompt], 1))[0][0].id).toBe(before);
    stack.destroy();
    editor.destroy();
    grads.destroy();
    model.destroy();
  });

  it('a batch edit concatenates the edits’ tokens; files round-trip exactly', async () => {
    const { model, target, files } = await setup(method, 0.01);
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
      two.deltas[0].left.subarray(0, r * DIMS.nEmbd),
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
    const { model, files } = await setup(method, 0.01);
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
    expect(
      bad(JSON.stringify({ ...cfg, config: { ...cfg.config, editedParams: ['h.7.mlp.c_fc.weight'] } })),
    ).toThrow(/does not exist in this model/);
    // A config whose sizes disagree with the tensors: the missing or resized tensor is named.
    const key = method === 'mend' ? 'rank' : 'dHidden';
    expect(bad(JSON.stringify({ ...cfg, config: { ...cfg.config, [key]: cfg.config[key] + 1 } }))).toThrow(
      EditorWeightsError,
    );
    expect(bad(files.config, files.weights.subarray(0, 40))).toThrow(EditorWeightsError);
    model.destroy();
  });
});
