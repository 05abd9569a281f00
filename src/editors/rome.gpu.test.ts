import { describe, expect, it } from 'vitest';
import { testContext } from '../gpu/testing.ts';
import { makeBatch } from '../model/batch.ts';
import { seededRandom } from '../model/testing.ts';
import { PatchStack } from './patches.ts';
import { loadRomeEditor, ROME_DEFAULTS, RomeEditor } from './rome.ts';
import {
  computeKeyCovariance,
  covarianceFileName,
  keyWeightsHash,
  parseKeyCovariance,
  serializeKeyCovariance,
  ROME_ROLE,
  type KeyCovariance,
} from './rome-covariance.ts';
import {
  argmaxNext,
  TOY_ARCHITECTURES,
  TOY_FACTS,
  trainToyModel,
  type ToyArchitecture,
} from './toy-model.testing.ts';
import { EditorWeightsError, EditRequestError, type EditTarget } from './types.ts';

// The toy has 2 blocks: ROME must edit block 0 (at the last block the subject row cannot reach the prediction:
// its gradient is exactly 0). The toy never saw text after <|endoftext|> (its own samples there are empty) nor
// two facts in one sequence, so prefixed contexts are out of its distribution: the locality test edits on the
// bare prompt, and a separate test checks that given prefixes are used.
const LAYER = 0;
const OPTIONS = { ...ROME_DEFAULTS, prefixes: [] };
type Setup = { target: EditTarget; cov: KeyCovariance; sample: number[][] };
const toys = new Map<ToyArchitecture, Promise<Setup>>();

/** Every next-token distribution of the toy's fact prompts, concatenated (bit-exact comparisons). */
async function distributions(target: EditTarget): Promise<number[]> {
  const ds = await target.model.nextTokenDistributions(TOY_FACTS.map(([p]) => target.tokenizer.encode(p)));
  return ds.flatMap((d) => Array.from(d));
}

/** The toy model and its layer-0 covariance over the facts plus 48 random letter strings (~550 tokens). */
function setup(arch: ToyArchitecture): Promise<Setup> {
  if (toys.has(arch)) return toys.get(arch)!;
  const toy = (async () => {
    const target = await trainToyModel(await testContext(), arch);
    const rand = seededRandom(48 * 14, 3);
    const noise = Array.from({ length: 48 }, (_, s) =>
      Array.from({ length: 6 + (s % 9) }, (_, t) => Math.floor(((rand[s * 14 + t] + 1) / 2) * 56)),
    );
    const sample = [...TOY_FACTS.map(([p, , a]) => target.tokenizer.encode(p + a)), ...noise];
    const cov = await computeKeyCovariance(target.model, sample, LAYER);
    return { target, cov, sample };
  })();
  toys.set(arch, toy);
  return toy;
}

describe.each(TOY_ARCHITECTURES)('ROME on a toy %s', (arch) => {
  it('the covariance is E[k kᵀ] over the real (unpadded) positions', async () => {
    const { target, sample } = await setup(arch);
    const { model } = target;
    // Sequences of different lengths batched together (padding inside the batch), against one-at-a-time runs.
    const some = sample.slice(4, 16);
    const cov = await computeKeyCovariance(model, some, LAYER);
    const n = cov.n;
    const want = new Float64Array(n * n);
    let tokens = 0;
    const keys = model.ctx.buffer('test.keys', 32 * n * 4);
    for (const seq of some) {
      // The keys are the down projection's inputs, read through a forward hook.
      await model.run(makeBatch([seq], 32), [{ row: 0, target: 0, weight: 0 }], {
        hook: (c, { block, role, x }) => {
          if (block === LAYER && role === ROME_ROLE) c.copy(x, 0, keys, 0, seq.length * n * 4);
        },
      });
      const k = await model.ctx.read(keys, 0, seq.length * n * 4);
      for (let t = 0; t < seq.length; t++)
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) want[i * n + j] += k[t * n + i] * k[t * n + j];
      tokens += seq.length;
    }
    keys.destroy();
    expect(cov.tokens).toBe(tokens);
    let worst = 0;
    want.forEach((w, i) => (worst = Math.max(worst, Math.abs(w / tokens - cov.cov[i]))));
    console.info(`covariance ${n}x${n} over ${tokens} tokens: max |diff| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  }, 300_000); // includes training the toy

  it('makes the target the argmax, keeps unrelated facts, and the patch reverts bit-exactly', async () => {
    const { target, cov } = await setup(arch);
    const { model, tokenizer } = target;
    // A new answer no fact has; every fact of the other subjects must keep its answer. (ROME also moves the
    // same subject's other relations, a known property: "bob likes" is not a locality probe here.)
    const request = { prompt: 'bob lives in', subject: 'bob', target: ' o' };
    const unrelated = TOY_FACTS.filter(([, s]) => s !== 'bob').map(([p]) => p);
    const before = await argmaxNext(target, unrelated);
    const param = model.linear(LAYER, ROME_ROLE).param;
    const w0 = await model.readParameter(param);
    const d0 = await distributions(target);
    const t0 = performance.now();
    const patch = await new RomeEditor(cov, OPTIONS).edit(target, request);
    console.info(`ROME (${arch}) edit ${(performance.now() - t0).toFixed(0)} ms`, patch.info);
    expect(patch.deltas[0]).toMatchObject({
      block: LAYER,
      role: ROME_ROLE,
      param,
      rank: 1,
      nIn: 128,
      nOut: 32,
    });
    expect(await distributions(target)).toEqual(d0);
    const stack = new PatchStack(model);
    stack.apply(patch);
    expect(await argmaxNext(target, [request.prompt])).toEqual(tokenizer.encode(' o'));
    expect(await argmaxNext(target, unrelated)).toEqual(before);
    expect(patch.info.contexts).toBe(1);
    expect(Array.from(await model.readParameter(param))).toEqual(Array.from(w0)); // a side-car: W untouched
    stack.revert(patch.id);
    expect(await distributions(target)).toEqual(d0);
    stack.destroy();
  });

  it('edits over prefixed contexts, dropping a prefix that makes the prompt too long', async () => {
    const { target, cov } = await setup(arch);
    const prefixes = ['joy likes w', 'joy '.repeat(30), 'guz likes j'];
    const request = { prompt: 'bob lives in', subject: 'bob', target: ' o' };
    const patch = await new RomeEditor(cov, { ...ROME_DEFAULTS, prefixes }).edit(target, request);
    console.info('ROME with prefixes', patch.info);
    expect(patch.info.contexts).toBe(3);
    const id = target.tokenizer.encode(' o')[0];
    const [before] = await target.model.nextTokenDistributions([target.tokenizer.encode(request.prompt)]);
    const stack = new PatchStack(target.model);
    stack.apply(patch);
    if (arch === 'gpt2') expect(await argmaxNext(target, [request.prompt])).toEqual([id]);
    else {
      // Known gap (issue 13 note): on the toy Qwen3 the default ROME settings over these prefixes move the
      // target up but not always to the top; the claim checked here is the move itself.
      const [after] = await target.model.nextTokenDistributions([target.tokenizer.encode(request.prompt)]);
      expect(after[id]).toBeGreaterThan(before[id]);
    }
    stack.reset();
    await target.model.ctx.sync();
    stack.destroy();
  });

  it('loads its covariance from a file and refuses one made for other weights', async () => {
    const { target, cov } = await setup(arch);
    const bytes = serializeKeyCovariance(cov);
    const files = async (name: string) => (name === covarianceFileName(LAYER) ? bytes : null);
    const editor = await loadRomeEditor(target, files, LAYER);
    expect(editor?.covariance.tokens).toBe(cov.tokens);
    expect(Array.from(editor!.covariance.cov)).toEqual(Array.from(cov.cov));
    expect(await loadRomeEditor(target, files, 1)).toBeNull();
    const expectMatch = { layer: LAYER, n: cov.n, weightsHash: await keyWeightsHash(target.model, LAYER) };
    expect(() => parseKeyCovariance(bytes, 'f', { ...expectMatch, weightsHash: 'beefbeefbeefbeef' })).toThrow(
      /different weights/,
    );
    expect(() => parseKeyCovariance(bytes, 'f', { ...expectMatch, n: 64 })).toThrow(EditorWeightsError);
    expect(() => parseKeyCovariance(bytes.subarray(0, 100), 'f', expectMatch)).toThrow(EditorWeightsError);
  });

  it('refuses bad requests and a mismatched covariance without touching the model', async () => {
    const { target, cov } = await setup(arch);
    const m = target.model;
    const before = await m.exportWeights();
    const rome = new RomeEditor(cov, OPTIONS);
    const ok = { prompt: 'joy lives in', subject: 'joy', target: ' r' };
    await expect(rome.edit(target, { ...ok, target: '' })).rejects.toThrow(EditRequestError);
    await expect(rome.edit(target, { ...ok, subject: 'Joy' })).rejects.toThrow(/does not occur/);
    await expect(rome.edit(target, { ...ok, prompt: 'joy '.repeat(40) + 'lives in' })).rejects.toThrow(
      /reads at most/,
    );
    await expect(rome.edit(target, ok, { layer: 1 })).rejects.toThrow(/covariance was computed/);
    const small = new RomeEditor({ ...cov, n: 64, cov: new Float32Array(64 * 64) });
    await expect(small.edit(target, ok)).rejects.toThrow(EditorWeightsError);
    const after = await m.exportWeights();
    for (const [name, w] of before) expect(Array.from(after.get(name)!), name).toEqual(Array.from(w));
  });
});
