import { describe, expect, it } from 'vitest';
import { matmulRef } from '../../reference/matmul.ts';
import { expectClose, randomArray, testContext } from '../testing.ts';
import { chooseVariant, matmul, matmulPlan, variantAllowed, type MatmulVariant } from './matmul.ts';

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 5],
  [1, 1, 33],
  [5, 1, 9],
  [17, 33, 65],
  [64, 64, 64],
  [70, 130, 31],
  // vec4-aligned shapes (the vec4 variant runs only where its alignment holds)
  [4, 4, 4],
  [36, 8, 12],
  [68, 132, 36],
  [1, 4, 8],
  // a few rows (GEMV): odd N with aligned K (transB), odd K with aligned N, K longer than a workgroup's lanes
  [1, 257, 12],
  [2, 12, 259],
  [3, 20, 260],
  [4, 516, 8],
  [3, 9, 200],
  // unaligned K with aligned N (the head gradient's shape, small): bvec4
  [9, 8, 37],
  [33, 36, 3],
];

interface Case {
  variant: MatmulVariant;
  tiledWorkgroup?: 8 | 16;
}

const CASES: Case[] = [
  { variant: 'blocked' },
  { variant: 'vec4' },
  { variant: 'bvec4' },
  { variant: 'gemv' },
  { variant: 'gemv-sg' },
  { variant: 'tiled', tiledWorkgroup: 16 },
  { variant: 'tiled', tiledWorkgroup: 8 },
];

describe.each(CASES)('matmul ($variant $tiledWorkgroup)', ({ variant, tiledWorkgroup }) => {
  for (const transA of [false, true]) {
    // bvec4 reads B as (K, N) only.
    for (const transB of variant === 'bvec4' ? [false] : [false, true]) {
      it(`matches the CPU reference, transA=${transA} transB=${transB}, with bias and accumulation`, async () => {
        const ctx = await testContext();
        if (variant === 'gemv-sg') {
          expect(
            ctx.device.features.has('subgroups'),
            'this adapter has no subgroups: gemv-sg untested',
          ).toBe(true);
        }
        let ran = 0;
        for (const [M, N, K] of SHAPES) {
          if (!variantAllowed(ctx, variant, { M, N, K, transA, transB })) continue;
          // The second tiled workgroup shares every line of code but the geometry: small shapes suffice.
          if (tiledWorkgroup === 8 && M * N * K > 40_000) continue;
          // The subgroup GEMV is the GPU path and compiles slowly on SwiftShader: two row counts cover its loops.
          if (variant === 'gemv-sg' && M !== 1 && M !== 3) continue;
          ran++;
          const a = randomArray(M * K, M * 31 + K);
          const b = randomArray(K * N, N * 17 + K);
          const bias = randomArray(N, N);
          const init = randomArray(M * N, 99);
          const bufs = [ctx.upload('a', a), ctx.upload('b', b), ctx.upload('bias', bias)];
          const out = ctx.upload('out', init);
          const out2 = ctx.upload('out2', init);
          const common = { a: bufs[0], b: bufs[1], M, N, K, transA, transB, variant, tiledWorkgroup };
          matmul(ctx, { ...common, bias: bufs[2], out });
          matmul(ctx, { ...common, out: out2, accumulate: true });
          const shape = { M, N, K, transA, transB };
          expectClose(`${M}x${N}x${K} bias`, await ctx.read(out), matmulRef(a, b, shape, bias));
          expectClose(
            `${M}x${N}x${K} accumulate`,
            await ctx.read(out2),
            matmulRef(a, b, shape, undefined, init),
          );
          [...bufs, out, out2].forEach((x) => x.destroy());
        }
        expect(ran, 'shapes this variant ran').toBeGreaterThan(0);
      });
    }
  }
});

describe('matmul plan', () => {
  it("sends the head, its unaligned-K gradient and one-row decode to the adapter kind's kernels", async () => {
    const ctx = await testContext();
    const gpu = ctx.prefersTiled;
    const fewRows = gpu ? 'gemv-sg' : 'vec4';
    // The head with one row (transB, K = 768) and its gradient (K = vocabulary, N = 768) with 32 and 1 rows.
    expect(chooseVariant(ctx, { M: 1, N: 50257, K: 768, transB: true })).toBe(fewRows);
    expect(chooseVariant(ctx, { M: 32, N: 768, K: 50257 })).toBe(gpu ? 'tiled' : 'bvec4');
    expect(chooseVariant(ctx, { M: 1, N: 768, K: 50257 })).toBe(gpu ? 'gemv-sg' : 'gemv');
    expect(variantAllowed(ctx, 'vec4', { M: 32, N: 768, K: 50257 })).toBe(false);
    expect(matmulPlan(ctx).tiledWorkgroup).toBe(16);
  });
});
