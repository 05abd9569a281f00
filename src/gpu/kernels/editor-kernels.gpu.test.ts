import { it } from 'vitest';
import { clampToBallRef } from '../../reference/clamp.ts';
import { softTargetBackwardRef } from '../../reference/soft-targets.ts';
import { expectClose, maxAbsDiff, randomArray, testContext } from '../testing.ts';
import { clampToBall } from './clamp.ts';
import { softTargetBackward } from './soft-targets.ts';

it('softTargetBackward adds w·(p − q) at the listed rows only (awkward V, K = 1 and 3)', async () => {
  const ctx = await testContext();
  for (const [R, V, rows] of [
    [1, 1, [0]],
    [5, 300, [4, 0, 2]],
    [3, 513, [1]],
  ] as [number, number, number[]][]) {
    const K = rows.length;
    const probs = randomArray(R * V, V, 1).map(Math.abs);
    const dlogits = randomArray(R * V, V + 1);
    const q = randomArray(K * V, V + 2).map(Math.abs);
    const weights = randomArray(K, V + 3);
    const bufs = {
      rows: ctx.upload('rows', Uint32Array.from(rows)),
      weights: ctx.upload('weights', weights),
      q: ctx.upload('q', q),
      probs: ctx.upload('probs', probs),
      dlogits: ctx.upload('dlogits', dlogits),
    };
    softTargetBackward(ctx, { ...bufs, K, V });
    const got = await ctx.read(bufs.dlogits);
    const want = softTargetBackwardRef(rows, weights, q, probs, dlogits, V);
    console.info(
      `softTargetBackward R=${R} V=${V} K=${K}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`,
    );
    expectClose(`softTargetBackward V=${V}`, got, want, 1e-6, 1e-6);
    Object.values(bufs).forEach((b) => b.destroy());
  }
});

it('clampToBall projects onto the L∞ ball around the centre (n not a multiple of 256, radius 0)', async () => {
  const ctx = await testContext();
  for (const [n, radius] of [
    [1, 0.1],
    [777, 0.25],
    [300, 0],
  ]) {
    const param = randomArray(n, n);
    const centre = randomArray(n, n + 1, 0.5);
    const p = ctx.upload('param', param);
    const c = ctx.upload('centre', centre);
    clampToBall(ctx, { param: p, centre: c, n, radius });
    expectClose(`clampToBall n=${n}`, await ctx.read(p), clampToBallRef(param, centre, radius), 1e-7, 1e-7);
    p.destroy();
    c.destroy();
  }
});
