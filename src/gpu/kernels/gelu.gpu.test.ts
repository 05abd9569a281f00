import { describe, it } from 'vitest';
import { geluBackwardRef, geluForwardRef } from '../../reference/gelu.ts';
import { expectClose, maxAbsDiff, randomArray, testContext } from '../testing.ts';
import { geluBackward, geluForward } from './gelu.ts';

function check(what: string, got: Float32Array, want: ArrayLike<number>, tol: number): void {
  console.info(`${what}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`);
  expectClose(what, got, want, tol, tol);
}

// Values where the formula is delicate: 0, the far tails (x³ overflows f32 past 7e12), around the ±10 clamp.
const SPECIAL = [0, -0.5, 3, -3, -6, 9.9, -9.9, 10.5, -10.5, 50, -50, 7e12, -7e12, 1e20, -1e20, 3e38, -3e38];

describe('gelu', () => {
  it('forward and backward match the CPU reference, tails included', async () => {
    const ctx = await testContext();
    for (const n of [1, 5, 37, 1000, 4099]) {
      const inp = randomArray(n, n, 5);
      inp.set(SPECIAL.slice(0, n));
      const dout = randomArray(n, n + 1);
      const bufs = [ctx.upload('inp', inp), ctx.upload('dout', dout)];
      const out = ctx.upload('out', randomArray(n, 3));
      const dinp = ctx.upload('dinp', randomArray(n, 4)); // overwritten, not accumulated
      geluForward(ctx, { inp: bufs[0], out, n });
      geluBackward(ctx, { inp: bufs[0], dout: bufs[1], dinp, n });
      check(`forward n=${n}`, await ctx.read(out), geluForwardRef(inp), 1e-5);
      check(`backward n=${n}`, await ctx.read(dinp), geluBackwardRef(inp, dout), 1e-5);
      [...bufs, out, dinp].forEach((b) => b.destroy());
    }
  });
});
