import { describe, expect, it } from 'vitest';
import { testContext } from '../gpu/testing.ts';
import { FT_DEFAULTS, FtEditor } from './ft.ts';
import { PatchStack } from './patches.ts';
import { argmaxNext, TOY_FACTS, trainToyModel } from './toy-model.testing.ts';
import { EditRequestError, type EditTarget } from './types.ts';

let toy: Promise<EditTarget> | undefined;
const model = () => (toy ??= testContext().then((ctx) => trainToyModel(ctx)));

describe('FT-L', () => {
  it('the toy model knows its facts (test premise)', async () => {
    const target = await model();
    const t0 = performance.now();
    const got = await argmaxNext(
      target,
      TOY_FACTS.map(([p]) => p),
    );
    console.info(`toy trained; argmax check ${(performance.now() - t0).toFixed(0)} ms`);
    expect(got).toEqual(TOY_FACTS.map(([, , a]) => target.tokenizer.encode(a)[0]));
  });

  it('makes the new target the argmax; the patch applies and reverts bit-exactly', async () => {
    const target = await model();
    const { model: m, tokenizer } = target;
    const request = { prompt: 'bob lives in', subject: 'bob', target: ' o' };
    const param = 'h.0.mlp.c_proj.weight';
    const w0 = await m.ctx.read(m.params.get(param));
    const t0 = performance.now();
    const patch = await new FtEditor().edit(target, request);
    console.info(`FT-L edit ${(performance.now() - t0).toFixed(0)} ms`, patch.info);
    // The editor does not apply: weights untouched.
    expect(Array.from(await m.ctx.read(m.params.get(param)))).toEqual(Array.from(w0));
    expect(patch.deltas).toHaveLength(1);
    expect(patch.deltas[0]).toMatchObject({ param, nIn: 128, nOut: 32, rank: 32 });
    expect(patch.info.converged).toBe('yes');
    const stack = new PatchStack(m);
    stack.apply(patch);
    expect(await argmaxNext(target, [request.prompt])).toEqual(tokenizer.encode(' o'));
    // ΔW within the L∞ ball.
    const w1 = await m.ctx.read(m.params.get(param));
    let maxAbs = 0;
    w1.forEach((x, i) => (maxAbs = Math.max(maxAbs, Math.abs(x - w0[i]))));
    expect(maxAbs).toBeGreaterThan(0);
    expect(maxAbs).toBeLessThanOrEqual(FT_DEFAULTS.epsilon + 1e-6);
    stack.revert(patch.id);
    expect(Array.from(await m.ctx.read(m.params.get(param)))).toEqual(Array.from(w0));
    stack.destroy();
  });

  it('editBatch makes two edits at once', async () => {
    const target = await model();
    const requests = [
      { prompt: 'max likes', subject: 'max', target: ' w' },
      { prompt: 'guz lives in', subject: 'guz', target: ' k' },
    ];
    const w0 = await target.model.ctx.read(target.model.params.get('h.0.mlp.c_proj.weight'));
    const patch = await new FtEditor().editBatch(target, requests, { steps: 60 });
    console.info('FT-L batch of 2', patch.info);
    const stack = new PatchStack(target.model);
    stack.apply(patch);
    expect(
      await argmaxNext(
        target,
        requests.map((r) => r.prompt),
      ),
    ).toEqual(requests.map((r) => target.tokenizer.encode(r.target)[0]));
    stack.reset();
    expect(Array.from(await target.model.ctx.read(target.model.params.get('h.0.mlp.c_proj.weight')))).toEqual(
      Array.from(w0),
    );
    stack.destroy();
  });

  it('refuses bad requests and settings without touching the model', async () => {
    const target = await model();
    const m = target.model;
    const before = await m.params.download();
    const ft = new FtEditor();
    const ok = { prompt: 'joy likes', subject: 'joy', target: ' j' };
    await expect(ft.edit(target, { ...ok, target: '' })).rejects.toThrow(EditRequestError);
    await expect(ft.edit(target, { ...ok, subject: 'zed' })).rejects.toThrow(/does not occur/);
    await expect(ft.edit(target, { ...ok, prompt: 'joy '.repeat(40) + 'likes' })).rejects.toThrow(
      /reads at most/,
    );
    await expect(ft.edit(target, ok, { layer: 5 })).rejects.toThrow(/layer/);
    await expect(ft.edit(target, ok, { lr: -1 })).rejects.toThrow(/learning rate/);
    const after = await m.params.download();
    for (const [name, w] of before) expect(Array.from(after.get(name)!), name).toEqual(Array.from(w));
  });
});
