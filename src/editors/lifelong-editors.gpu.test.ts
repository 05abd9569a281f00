// UltraEdit and AlphaEdit on the toy fact world: each edit is a real patch that moves the edited prompt toward
// its new target; AlphaEdit's update lies in the null space of the preserved keys and its earlier-edit cache
// resets when no edit is left applied; UltraEdit's lifelong normaliser keeps counting across edits.

import { describe, expect, it } from 'vitest';
import { testContext } from '../gpu/testing.ts';
import { seededRandom } from '../model/testing.ts';
import { AlphaEditEditor } from './alphaedit.ts';
import { PatchStack } from './patches.ts';
import { computeKeyCovariance } from './rome-covariance.ts';
import { ROME_DEFAULTS, RomeEditor } from './rome.ts';
import { TOY_FACTS, trainToyModel } from './toy-model.testing.ts';
import type { EditTarget } from './types.ts';
import { UltraEditEditor } from './ultraedit.ts';

/** p(first target token) after the prompt. */
async function pTarget({ model, tokenizer }: EditTarget, prompt: string, target: string): Promise<number> {
  const [d] = await model.nextTokenDistributions([tokenizer.encode(prompt)]);
  return d[tokenizer.encode(target)[0]];
}

const request = { prompt: 'bob lives in', subject: 'bob', target: ' w' };
let toy: Promise<EditTarget> | undefined;
/** One toy for both tests (training it is most of the time on a CPU adapter). */
const sharedToy = async () => (toy ??= trainToyModel(await testContext(), 'gpt2'));
// A loaded 2-core CI machine trains the toy in 30–120 s.
const TIMEOUT = 300_000;
const second = { prompt: 'max likes', subject: 'max', target: ' r' };

describe('lifelong editors on the toy GPT-2', () => {
  it(
    'UltraEdit raises p(target) with ridge-solved factors on the upper blocks, normaliser kept across edits',
    async () => {
      const target = await sharedToy();
      const stack = new PatchStack(target.model);
      const editor = new UltraEditEditor({ lr: 0.05 });
      const before = await pTarget(target, request.prompt, request.target);
      const patch = await editor.edit(target, request);
      expect(patch.deltas.map((d) => `${d.block}.${d.role}`)).toEqual(['1.mlp.down']);
      expect(patch.deltas[0].rank).toBe(target.tokenizer.encode(request.target).length);
      stack.apply(patch);
      expect(await pTarget(target, request.prompt, request.target)).toBeGreaterThan(before);
      const next = await editor.edit(target, second);
      expect(next.info.editsSeen).toBe(2);
      expect(Number(next.info.normalisedTokens)).toBeGreaterThan(Number(patch.info.normalisedTokens));
      stack.destroy();
      editor.destroy();
    },
    TIMEOUT,
  );

  // Known gap (issue 13 note): on this toy AlphaEdit's projected update does not raise p(target) yet, so the
  // method is not offered by the engine or the CLI; `it.fails` keeps the gap visible until it is fixed.
  it.fails(
    'AlphaEdit edits in the null space of the preserved keys and protects its earlier edits',
    async () => {
      const target = await sharedToy();
      const rand = seededRandom(48 * 14, 3);
      const noise = Array.from({ length: 48 }, (_, s) =>
        Array.from({ length: 6 + (s % 9) }, (_, t) => Math.floor(((rand[s * 14 + t] + 1) / 2) * 56)),
      );
      const sample = [...TOY_FACTS.map(([p, , a]) => target.tokenizer.encode(p + a)), ...noise];
      const cov = await computeKeyCovariance(target.model, sample, 0);
      const rome = new RomeEditor(cov, { ...ROME_DEFAULTS, prefixes: [] });
      const editor = new AlphaEditEditor(rome, { nullspaceThreshold: 0.05 });
      const stack = new PatchStack(target.model);
      const before = await pTarget(target, request.prompt, request.target);
      const p1 = await editor.edit(target, request);
      expect(p1.info.protectedEdits).toBe(0);
      expect(Number(p1.info.nullSpaceDims)).toBeGreaterThan(0);
      // left ∈ range(P): projecting it again changes nothing (P is built once per editor).
      const { P } = (editor as unknown as { null(): { P: Float64Array } }).null();
      const n = cov.n;
      let off = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += P[i * n + j] * p1.deltas[0].left[j];
        off = Math.max(off, Math.abs(s - p1.deltas[0].left[i]));
      }
      expect(off).toBeLessThan(1e-4 * Math.max(...Array.from(p1.deltas[0].left, Math.abs)));
      stack.apply(p1);
      expect(await pTarget(target, request.prompt, request.target)).toBeGreaterThan(before);
      // While the first edit is applied, the next one protects its key; once nothing is applied, none.
      const p2 = await editor.edit(target, second);
      expect(p2.info.protectedEdits).toBe(1);
      stack.revert(p1.id);
      const p3 = await editor.edit(target, second);
      expect(p3.info.protectedEdits).toBe(0);
      stack.destroy();
    },
    TIMEOUT,
  );
});
