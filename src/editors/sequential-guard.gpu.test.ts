// SequentialGuard, the wrapper the engine puts around every editor: without its settings the patch is the
// wrapped editor's; maxUpdate caps ‖ΔW‖/‖W‖ of every matrix (factors and FT-L's dense ΔW alike); protectEarlier
// solves (I + C_e/(μ·ē))·ΔW' = ΔW with C_e the layer inputs of the edits already applied, and forgets them when
// no edit is left applied.

import { describe, expect, it } from 'vitest';
import { randomArray, testContext } from '../gpu/testing.ts';
import { deltaFrobenius } from '../eval/update-size.ts';
import { denseDelta, FT_ROLE } from './ft.ts';
import { PatchStack } from './patches.ts';
import { SequentialGuard } from './sequential-guard.ts';
import { tinyRandomTarget } from './toy-model.testing.ts';
import type { EditRequest, Editor, EditTarget, Patch, WeightDelta } from './types.ts';

const FIRST: EditRequest = { prompt: 'the cat is on', subject: 'cat', target: ' the mat' };
const SECOND: EditRequest = { prompt: 'a dog ran in', subject: 'dog', target: ' red' };

/** An editor whose patch is a fixed dense ΔW on block 1's MLP down projection (as FT-L's) plus a rank-2 term. */
class FixedEditor implements Editor {
  readonly method = 'ft' as const;
  constructor(private readonly dense: Float32Array) {}
  async edit({ model }: EditTarget, request: EditRequest): Promise<Patch> {
    const down = model.linear(1, FT_ROLE);
    const up = model.linear(0, 'mlp.in');
    const lowRank: WeightDelta = {
      ...up,
      rank: 2,
      left: randomArray(2 * up.nIn, 3, 0.5),
      right: randomArray(2 * up.nOut, 4, 0.5),
    };
    return {
      id: request.prompt,
      method: 'ft',
      request,
      deltas: [denseDelta(down, this.dense), lowRank],
      info: {},
    };
  }
}

async function frobenius(target: EditTarget, param: string) {
  const w = await target.model.readParameter(param);
  return Math.sqrt(w.reduce((s, x) => s + x * x, 0));
}

/** leftᵀ·right of a delta, to check that a dense ΔW still equals its factors. */
function product({ left, right, rank, nIn, nOut }: WeightDelta): Float32Array {
  const out = new Float32Array(nIn * nOut);
  for (let r = 0; r < rank; r++)
    for (let i = 0; i < nIn; i++)
      for (let j = 0; j < nOut; j++) out[i * nOut + j] += left[r * nIn + i] * right[r * nOut + j];
  return out;
}

const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('SequentialGuard', () => {
  const setup = async () => {
    const target = tinyRandomTarget(await testContext(), 'gpt2', 9);
    const { nIn, nOut } = target.model.linear(1, FT_ROLE);
    const dW = randomArray(nIn * nOut, 21, 0.4);
    return { target, dW, guard: new SequentialGuard(new FixedEditor(dW)) };
  };

  it("returns the wrapped editor's patch unchanged without its settings", async () => {
    const { target, dW, guard } = await setup();
    const patch = await guard.edit(target, FIRST, { steps: 3 });
    expect(Array.from(patch.deltas[0].dense!)).toEqual(Array.from(dW));
    expect(patch.info).toEqual({});
  });

  it('maxUpdate caps the largest relative change at ρ, scaling dense ΔW with its factors', async () => {
    const { target, guard } = await setup();
    const free = await new FixedEditor((await setup()).dW).edit(target, FIRST);
    const sizes = async (p: Patch) =>
      Promise.all(p.deltas.map(async (d) => deltaFrobenius([d]) / (await frobenius(target, d.param))));
    const worst = Math.max(...(await sizes(free)));
    const rho = worst / 4;
    const capped = await guard.edit(target, FIRST, { maxUpdate: rho });
    expect(Math.max(...(await sizes(capped)))).toBeCloseTo(rho, 5);
    expect(Number(capped.info.updateScale)).toBeCloseTo(0.25, 5);
    const d = capped.deltas[0];
    expect(maxDiff(d.dense!, product(d))).toBeLessThan(1e-5);
    const loose = await guard.edit(target, FIRST, { maxUpdate: worst * 2 });
    expect(loose.info.updateScale).toBe(1);
  });

  it('protectEarlier solves (I + C/(μē))·ΔW′ = ΔW over the applied edits’ inputs, and forgets them once undone', async () => {
    const { target, dW, guard } = await setup();
    const stack = new PatchStack(target.model);
    const mu = 0.5;
    const first = await guard.edit(target, FIRST, { protectEarlier: mu });
    expect(first.info.protectedKeys).toBe(0); // nothing earlier to protect
    expect(first.info.keptFraction).toBe(1);
    stack.apply(first);
    type Memory = Map<string, { C: Float64Array; rows: number; trace: number }>;
    const memory = (guard as unknown as { memory: Memory }).memory.get(`1.${FT_ROLE}`)!;
    // The first edit's inputs, copied: the second edit adds its own after it is damped.
    const { rows, trace } = memory;
    const C = Float64Array.from(memory.C);

    const second = await guard.edit(target, SECOND, { protectEarlier: mu });
    const tokens = target.tokenizer.encode(FIRST.prompt + FIRST.target).length;
    expect(second.info.protectedKeys).toBe(tokens - 1);
    expect(Number(second.info.keptFraction)).toBeLessThan(1);
    const d = second.deltas[0];
    const { nIn, nOut } = d;
    const scale = 1 / (mu * (trace / rows));
    // A·ΔW′ with A = I + C·scale must give back the undamped ΔW.
    const back = new Float32Array(nIn * nOut);
    for (let i = 0; i < nIn; i++)
      for (let j = 0; j < nOut; j++) {
        let s = d.dense![i * nOut + j];
        for (let k = 0; k < nIn; k++) s += C[i * nIn + k] * scale * d.dense![k * nOut + j];
        back[i * nOut + j] = s;
      }
    expect(maxDiff(back, dW)).toBeLessThan(1e-3 * Math.max(...Array.from(dW, Math.abs)));
    expect(maxDiff(d.dense!, product(d))).toBeLessThan(1e-5);

    stack.revert(first.id);
    const fresh = await guard.edit(target, SECOND, { protectEarlier: mu });
    expect(fresh.info.protectedKeys).toBe(0); // no edit applied: the memory started again
    stack.destroy();
  });
});
