import { describe, expect, it } from 'vitest';
import { testContext } from '../gpu/testing.ts';
import { FT_DEFAULTS, FT_ROLE, FtEditor } from './ft.ts';
import { PatchStack } from './patches.ts';
import {
  argmaxNext,
  TOY_ARCHITECTURES,
  TOY_FACTS,
  trainToyModel,
  type ToyArchitecture,
} from './toy-model.testing.ts';
import { EditRequestError, type EditTarget } from './types.ts';

const toys = new Map<ToyArchitecture, Promise<EditTarget>>();
const toy = (arch: ToyArchitecture) => {
  if (!toys.has(arch))
    toys.set(
      arch,
      testContext().then((ctx) => trainToyModel(ctx, arch)),
    );
  return toys.get(arch)!;
};

/** Every next-token distribution of the toy's fact prompts, concatenated (bit-exact comparisons). */
async function distributions(target: EditTarget): Promise<number[]> {
  const ds = await target.model.nextTokenDistributions(TOY_FACTS.map(([p]) => target.tokenizer.encode(p)));
  return ds.flatMap((d) => Array.from(d));
}

describe.each(TOY_ARCHITECTURES)('FT-L on a toy %s', (arch) => {
  it('the toy model knows its facts (test premise)', async () => {
    const target = await toy(arch);
    const t0 = performance.now();
    const got = await argmaxNext(
      target,
      TOY_FACTS.map(([p]) => p),
    );
    console.info(`toy ${arch} trained; argmax check ${(performance.now() - t0).toFixed(0)} ms`);
    expect(got).toEqual(TOY_FACTS.map(([, , a]) => target.tokenizer.encode(a)[0]));
  }, 300_000); // includes training the toy (~150 AdamW steps; slow on a busy CPU adapter)

  it('makes the new target the argmax as a side-car; weights never written; revert is bit-exact', async () => {
    const target = await toy(arch);
    const { model: m, tokenizer } = target;
    const request = { prompt: 'bob lives in', subject: 'bob', target: ' o' };
    const spec = m.linear(0, FT_ROLE);
    const w0 = await m.readParameter(spec.param);
    const d0 = await distributions(target);
    const t0 = performance.now();
    const patch = await new FtEditor().edit(target, request);
    console.info(`FT-L (${arch}) edit ${(performance.now() - t0).toFixed(0)} ms`, patch.info);
    // The editor does not apply: the model answers as before.
    expect(await distributions(target)).toEqual(d0);
    expect(patch.deltas).toHaveLength(1);
    expect(patch.deltas[0]).toMatchObject({
      block: 0,
      role: 'mlp.down',
      param: spec.param,
      nIn: 128,
      nOut: 32,
    });
    expect(patch.info.converged).toBe('yes');
    // ΔW within the L∞ ball, and its factors reproduce it.
    const dense = patch.deltas[0].dense!;
    let maxAbs = 0;
    dense.forEach((x) => (maxAbs = Math.max(maxAbs, Math.abs(x))));
    expect(maxAbs).toBeGreaterThan(0);
    expect(maxAbs).toBeLessThanOrEqual(FT_DEFAULTS.epsilon + 1e-6);
    const stack = new PatchStack(m);
    stack.apply(patch);
    expect(await argmaxNext(target, [request.prompt])).toEqual(tokenizer.encode(' o'));
    expect(Array.from(await m.readParameter(spec.param))).toEqual(Array.from(w0));
    stack.revert(patch.id);
    expect(await distributions(target)).toEqual(d0);
    stack.destroy();
  });

  it('editBatch makes two edits at once; reset restores the model bit-exactly', async () => {
    const target = await toy(arch);
    const requests = [
      { prompt: 'max likes', subject: 'max', target: ' w' },
      { prompt: 'guz lives in', subject: 'guz', target: ' k' },
    ];
    const d0 = await distributions(target);
    const patch = await new FtEditor().editBatch(target, requests, { steps: 60 });
    console.info(`FT-L (${arch}) batch of 2`, patch.info);
    const stack = new PatchStack(target.model);
    stack.apply(patch);
    expect(
      await argmaxNext(
        target,
        requests.map((r) => r.prompt),
      ),
    ).toEqual(requests.map((r) => target.tokenizer.encode(r.target)[0]));
    stack.reset();
    expect(await distributions(target)).toEqual(d0);
    stack.destroy();
  });

  it('refuses bad requests and settings without touching the model', async () => {
    const target = await toy(arch);
    const m = target.model;
    const before = await m.exportWeights();
    const ft = new FtEditor();
    const ok = { prompt: 'joy likes', subject: 'joy', target: ' j' };
    await expect(ft.edit(target, { ...ok, target: '' })).rejects.toThrow(EditRequestError);
    await expect(ft.edit(target, { ...ok, subject: 'zed' })).rejects.toThrow(/does not occur/);
    await expect(ft.edit(target, { ...ok, prompt: 'joy '.repeat(40) + 'likes' })).rejects.toThrow(
      /reads at most/,
    );
    await expect(ft.edit(target, ok, { layer: 5 })).rejects.toThrow(/layer/);
    await expect(ft.edit(target, ok, { lr: -1 })).rejects.toThrow(/learning rate/);
    const after = await m.exportWeights();
    for (const [name, w] of before) expect(Array.from(after.get(name)!), name).toEqual(Array.from(w));
    expect(m.sideCar.empty).toBe(true);
  });
});
