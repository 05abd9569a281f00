import { describe, it } from 'vitest';
import { matmulRef } from '../../reference/matmul.ts';
import { expectClose, randomArray, testContext } from '../testing.ts';
import { matmul, vec4Allowed, type MatmulVariant } from './matmul.ts';

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
];

describe.each<MatmulVariant>(['blocked', 'vec4', 'tiled'])('matmul (%s)', (variant) => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matches the CPU reference, transA=${transA} transB=${transB}, with bias and accumulation`, async () => {
        const ctx = await testContext();
        for (const [M, N, K] of SHAPES) {
          if (variant === 'vec4' && !vec4Allowed({ M, N, K, transA, transB })) continue;
          const a = randomArray(M * K, M * 31 + K);
          const b = randomArray(K * N, N * 17 + K);
          const bias = randomArray(N, N);
          const init = randomArray(M * N, 99);
          const bufs = [ctx.upload('a', a), ctx.upload('b', b), ctx.upload('bias', bias)];
          const out = ctx.upload('out', init);
          const out2 = ctx.upload('out2', init);
          matmul(ctx, { a: bufs[0], b: bufs[1], bias: bufs[2], out, M, N, K, transA, transB, variant });
          matmul(ctx, {
            a: bufs[0],
            b: bufs[1],
            out: out2,
            M,
            N,
            K,
            transA,
            transB,
            accumulate: true,
            variant,
          });
          const shape = { M, N, K, transA, transB };
          expectClose(`${M}x${N}x${K} bias`, await ctx.read(out), matmulRef(a, b, shape, bias));
          expectClose(
            `${M}x${N}x${K} accumulate`,
            await ctx.read(out2),
            matmulRef(a, b, shape, undefined, init),
          );
          [...bufs, out, out2].forEach((x) => x.destroy());
        }
      });
    }
  }
});
