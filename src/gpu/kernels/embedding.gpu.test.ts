import { describe, expect, it } from 'vitest';
import { embeddingBackwardRef, embeddingForwardRef } from '../../reference/embedding.ts';
import { expectClose, maxAbsDiff, randomArray, testContext } from '../testing.ts';
import { embeddingBackward, embeddingForward } from './embedding.ts';

function check(what: string, got: Float32Array, want: ArrayLike<number>, tol: number): void {
  console.info(`${what}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`);
  expectClose(what, got, want, tol, tol);
}

// [N, T, C, V, maxT]: N = 1 and T = 1, C not a multiple of the workgroup, tiny and GPT-2-like vocabularies.
const SHAPES: [number, number, number, number, number][] = [
  [1, 1, 1, 7, 1],
  [1, 1, 5, 7, 3],
  [6, 3, 37, 7, 4],
  [8, 4, 100, 1000, 6],
  [24, 12, 37, 1000, 16],
];

/** Ids with repeats (the backward must accumulate them) and one past the vocabulary (must read as zeros). */
function makeIds(N: number, V: number, seed: number): Uint32Array {
  const ids = Uint32Array.from(randomArray(N, seed), (r) => Math.floor(((r + 1) / 2) * Math.min(V, 3)));
  if (N > 2) ids[N - 1] = V + 3;
  return ids;
}

describe('embedding', () => {
  it('forward matches the CPU reference', async () => {
    const ctx = await testContext();
    for (const [N, T, C, V, maxT] of SHAPES) {
      const ids = makeIds(N, V, N + C);
      const wte = randomArray(V * C, V);
      const wpe = randomArray(maxT * C, maxT + 1);
      const bufs = [ctx.upload('ids', ids), ctx.upload('wte', wte), ctx.upload('wpe', wpe)];
      const out = ctx.upload('out', randomArray(N * C, 9)); // overwritten, not accumulated
      embeddingForward(ctx, { ids: bufs[0], wte: bufs[1], wpe: bufs[2], out, N, T, C });
      check(
        `forward N=${N} T=${T} C=${C} V=${V}`,
        await ctx.read(out),
        embeddingForwardRef(ids, wte, wpe, { N, T, C }),
        1e-6,
      );
      [...bufs, out].forEach((b) => b.destroy());
    }
  });

  it('backward accumulates into dwte/dwpe like the CPU reference, deterministically', async () => {
    const ctx = await testContext();
    for (const [N, T, C, V, maxT] of SHAPES) {
      const ids = makeIds(N, V, N * 3 + C);
      const dout = randomArray(N * C, C);
      const dwteInit = randomArray(V * C, 5);
      const dwpeInit = randomArray(maxT * C, 6);
      const idsBuf = ctx.upload('ids', ids);
      const doutBuf = ctx.upload('dout', dout);
      const runs = [0, 1].map(() => ({
        dwte: ctx.upload('dwte', dwteInit),
        dwpe: ctx.upload('dwpe', dwpeInit),
      }));
      for (const r of runs) embeddingBackward(ctx, { ids: idsBuf, dout: doutBuf, ...r, N, T, C });
      const want = embeddingBackwardRef(ids, dout, dwteInit, dwpeInit, { N, T, C });
      const got = await Promise.all(runs.map(async (r) => [await ctx.read(r.dwte), await ctx.read(r.dwpe)]));
      const shape = `N=${N} T=${T} C=${C} V=${V}`;
      check(`dwte ${shape}`, got[0][0], want.dwte, 1e-5);
      check(`dwpe ${shape}`, got[0][1], want.dwpe, 1e-5);
      expect(got[1][0], 'dwte bitwise identical across runs').toEqual(got[0][0]);
      expect(got[1][1], 'dwpe bitwise identical across runs').toEqual(got[0][1]);
      [idsBuf, doutBuf, ...runs.flatMap((r) => [r.dwte, r.dwpe])].forEach((b) => b.destroy());
    }
  });
});
