import { describe, it } from 'vitest';
import { axpyRef, residualForwardRef, scaleRef } from '../../reference/residual.ts';
import { expectClose, maxAbsDiff, randomArray, testContext } from '../testing.ts';
import { axpy, RESIDUAL, residualForward, scale } from './residual.ts';

function check(what: string, got: Float32Array, want: ArrayLike<number>): void {
  console.info(`${what}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`);
  expectClose(what, got, want, 1e-6, 1e-6);
}

describe('residual, axpy, scale', () => {
  it('match the CPU reference', async () => {
    const ctx = await testContext();
    for (const n of [1, 5, 37, 257, 5000]) {
      const a = randomArray(n, n);
      const b = randomArray(n, n + 1);
      const [aBuf, bBuf] = [ctx.upload('a', a), ctx.upload('b', b)];
      const out = ctx.upload('out', randomArray(n, 7)); // overwritten
      const y = ctx.upload('y', b);
      const x = ctx.upload('x', a);
      residualForward(ctx, { a: aBuf, b: bBuf, out, n });
      axpy(ctx, { x: aBuf, y, n, alpha: -0.75 });
      scale(ctx, { x, n, alpha: 1 / 3 });
      check(`residual n=${n}`, await ctx.read(out), residualForwardRef(a, b));
      check(`axpy n=${n}`, await ctx.read(y), axpyRef(a, b, -0.75));
      check(`scale n=${n}`, await ctx.read(x), scaleRef(a, 1 / 3));
      [aBuf, bBuf, out, y, x].forEach((buf) => buf.destroy());
    }
  });

  it('the grid-stride loop covers n beyond the dispatched grid (the 65535-group cap)', async () => {
    const ctx = await testContext();
    const n = 3 * 256 + 11;
    const a = randomArray(n, 1);
    const b = randomArray(n, 2);
    const bufs = [ctx.upload('a', a), ctx.upload('b', b), ctx.upload('out', new Float32Array(n))];
    // One workgroup of 256 for 779 elements: each invocation must do up to four.
    ctx.dispatch({
      kernel: RESIDUAL,
      entry: 'residual_forward',
      params: [n],
      buffers: bufs,
      workgroups: [1],
    });
    check('residual, 1 workgroup', await ctx.read(bufs[2]), residualForwardRef(a, b));
    bufs.forEach((buf) => buf.destroy());
  });
});
