import { describe, it } from 'vitest';
import { gatherRowsRef, scatterAddRowsRef } from '../../reference/gather.ts';
import { expectClose, maxAbsDiff, randomArray, testContext } from '../testing.ts';
import { gatherRows, scatterAddRows } from './gather.ts';

function check(what: string, got: Float32Array, want: ArrayLike<number>): void {
  console.info(`${what}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`);
  expectClose(what, got, want, 1e-6, 1e-6);
}

// [N, R, C, idx]: distinct indices, out of order, one past the end (gathers zeros, scatters nothing).
const CASES: [number, number, number, number[]][] = [
  [1, 1, 1, [0]],
  [7, 3, 5, [6, 0, 3]],
  [12, 4, 37, [11, 2, 40, 5]],
  [64, 8, 1000, [63, 0, 17, 31, 1, 2, 48, 9]],
];

describe('gatherRows / scatterAddRows', () => {
  it('match the CPU reference', async () => {
    const ctx = await testContext();
    for (const [N, R, C, indices] of CASES) {
      const idx = Uint32Array.from(indices);
      const inp = randomArray(N * C, N + C);
      const dout = randomArray(R * C, R + C);
      const dinpInit = randomArray(N * C, 3);
      const bufs = [ctx.upload('inp', inp), ctx.upload('idx', idx), ctx.upload('dout', dout)];
      const out = ctx.upload('out', randomArray(R * C, 4)); // overwritten
      const dinp = ctx.upload('dinp', dinpInit); // accumulated into
      gatherRows(ctx, { inp: bufs[0], idx: bufs[1], out, R, C });
      scatterAddRows(ctx, { dout: bufs[2], idx: bufs[1], dinp, R, C });
      check(`gather N=${N} R=${R} C=${C}`, await ctx.read(out), gatherRowsRef(inp, idx, { R, C }));
      check(
        `scatter-add N=${N} R=${R} C=${C}`,
        await ctx.read(dinp),
        scatterAddRowsRef(dout, idx, dinpInit, { R, C }),
      );
      [...bufs, out, dinp].forEach((b) => b.destroy());
    }
  });
});
