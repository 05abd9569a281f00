import { describe, it } from 'vitest';
import { packWeight, quantMatmulRef, type QuantFormat } from '../../reference/quant.ts';
import { expectClose, randomArray, testContext } from '../testing.ts';
import {
  QUANT_VARIANTS,
  quantMatmul,
  quantVariantFeature,
  quantVariantSupported,
  type QuantVariant,
} from './matmul-quant.ts';

// Awkward sizes: single rows, widths that are not multiples of 4, 32 (a group) or 8 (a workgroup).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 33],
  [5, 33, 65],
  [17, 70, 31],
  [3, 96, 64],
];
const FORMATS: QuantFormat[] = ['f16', 'q8_0', 'q4_0'];
/** f16 arithmetic rounds A and every product to 11 bits; sums of 32 in f16 keep the error near 1e-2 here. */
const TOLERANCE: Record<QuantVariant, [number, number]> = { f32math: [1e-4, 1e-4], f16math: [3e-2, 1e-2] };

describe.each<QuantVariant>([...QUANT_VARIANTS])('quantized matmul (%s)', (variant) => {
  for (const format of FORMATS) {
    for (const transB of [false, true]) {
      it(`${format}, weight stored ${transB ? '(N, K)' : '(K, N)'}: matches the CPU reference, with bias and accumulation`, async (t) => {
        const ctx = await testContext();
        if (!quantVariantSupported(ctx, variant)) {
          // A named, reported condition (vitest prints the note), never a silent pass.
          t.skip(
            `${variant} skipped: the adapter (${ctx.adapter.description || ctx.adapter.vendor}) lacks ${quantVariantFeature(variant)}`,
          );
        }
        const [atol, rtol] = TOLERANCE[variant];
        for (const [M, N, K] of SHAPES) {
          const a = randomArray(M * K, M * 31 + K);
          const [R, C] = transB ? [N, K] : [K, N];
          const w = packWeight(randomArray(R * C, R * 7 + C), R, C, format);
          const bias = randomArray(N, N);
          const init = randomArray(M * N, 5);
          const bufs = [ctx.upload('a', a), ctx.upload('w', w.data), ctx.upload('bias', bias)];
          const scales = w.scales ? ctx.upload('scales', w.scales) : undefined;
          const out = ctx.upload('out', init);
          const out2 = ctx.upload('out2', init);
          const common = { a: bufs[0], w: bufs[1], scales, format, M, N, K, transB, variant };
          quantMatmul(ctx, { ...common, bias: bufs[2], out });
          quantMatmul(ctx, { ...common, out: out2, accumulate: true });
          const shape = { M, N, K, transB };
          expectClose(
            `${M}x${N}x${K} bias`,
            await ctx.read(out),
            quantMatmulRef(a, w, shape, bias),
            atol,
            rtol,
          );
          expectClose(
            `${M}x${N}x${K} accumulate`,
            await ctx.read(out2),
            quantMatmulRef(a, w, shape, undefined, init),
            atol,
            rtol,
          );
          [...bufs, out, out2, scales].forEach((x) => x?.destroy());
        }
      });
    }
  }
});
