import { describe, it } from 'vitest';
import { layernormBackwardRef, layernormForwardRef } from '../../reference/layernorm.ts';
import { expectClose, maxAbsDiff, randomArray, testContext } from '../testing.ts';
import { LAYERNORM, layernormBackward, layernormForward, type LayernormVariant } from './layernorm.ts';

function check(what: string, got: Float32Array, want: ArrayLike<number>, tol = 1e-5): void {
  console.info(`${what}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`);
  expectClose(what, got, want, tol, tol);
}

// [N, C]: one row, one channel (variance 0: out = bias), widths that are not multiples of 64, GPT-2's 768.
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 5],
  [3, 37],
  [70, 100],
  [5, 768],
  [130, 37],
];
const EPS = 1e-5;

interface Case {
  N: number;
  C: number;
  inp: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
  dout: Float32Array;
}

function makeCase(N: number, C: number): Case {
  // Rows with a mean far from 0 (checks the two-pass variance) and a spread of scales.
  const inp = randomArray(N * C, N * 13 + C).map((x, i) => 3 + x * (1 + (Math.floor(i / C) % 4)));
  const weight = randomArray(C, C).map((w) => 1 + w / 2);
  return { N, C, inp, weight, bias: randomArray(C, C + 1), dout: randomArray(N * C, N + C) };
}

describe.each<LayernormVariant>(['row-per-invocation', 'row-per-workgroup'])('layernorm (%s)', (variant) => {
  it('forward and backward match the CPU reference; the backward accumulates', async () => {
    const ctx = await testContext();
    for (const [N, C] of SHAPES) {
      const k = makeCase(N, C);
      const ref = layernormForwardRef(k.inp, k.weight, k.bias, { N, C }, EPS);
      const init = { dinp: randomArray(N * C, 1), dweight: randomArray(C, 2), dbias: randomArray(C, 3) };
      const [inp, weight, bias, dout] = [k.inp, k.weight, k.bias, k.dout].map((a) => ctx.upload('in', a));
      const [out, mean, rstd] = [N * C, N, N].map((n) => ctx.upload('out', randomArray(n, 4)));
      const [dinp, dweight, dbias] = [init.dinp, init.dweight, init.dbias].map((a) => ctx.upload('grad', a));
      layernormForward(ctx, { inp, weight, bias, out, mean, rstd, N, C, eps: EPS, variant });
      layernormBackward(ctx, { dout, inp, weight, mean, rstd, dinp, dweight, dbias, N, C, variant });
      const shape = `N=${N} C=${C}`;
      check(`out ${shape}`, await ctx.read(out), ref.out);
      check(`mean ${shape}`, await ctx.read(mean), ref.mean);
      // rstd = 1/√eps ≈ 316 for C = 1: relative tolerance carries it.
      check(`rstd ${shape}`, await ctx.read(rstd), ref.rstd);
      // The backward consumed the GPU's f32 mean/rstd; the reference uses the same values.
      const [m32, r32] = [await ctx.read(mean), await ctx.read(rstd)];
      const want = layernormBackwardRef(k.dout, k.inp, k.weight, m32, r32, init, { N, C });
      check(`dinp ${shape}`, await ctx.read(dinp), want.dinp, 1e-4);
      check(`dweight ${shape}`, await ctx.read(dweight), want.dweight, 1e-4);
      check(`dbias ${shape}`, await ctx.read(dbias), want.dbias);
      [inp, weight, bias, dout, out, mean, rstd, dinp, dweight, dbias].forEach((b) => b.destroy());
    }
  });

  it('the row loop covers more rows than the dispatched grid (barriers stay in uniform control flow)', async () => {
    const ctx = await testContext();
    const [N, C] = [130, 37];
    const k = makeCase(N, C);
    const ref = layernormForwardRef(k.inp, k.weight, k.bias, { N, C }, EPS);
    const [inp, weight, bias, dout] = [k.inp, k.weight, k.bias, k.dout].map((a) => ctx.upload('in', a));
    const [out, mean, rstd, dinp] = [N * C, N, N, N * C].map((n) => ctx.buffer('out', n * 4));
    ctx.clear(dinp);
    const constants = { LANES: variant === 'row-per-workgroup' ? 64 : 1 };
    const common = { kernel: LAYERNORM, constants, params: [N, C], workgroups: [1] as [number] };
    ctx.dispatch({
      ...common,
      entry: 'layernorm_forward',
      floats: [EPS],
      buffers: [inp, weight, bias, out, mean, rstd],
    });
    ctx.dispatch({ ...common, entry: 'layernorm_backward', buffers: [dout, inp, weight, mean, rstd, dinp] });
    check('out, 1 workgroup', await ctx.read(out), ref.out);
    const zeros = { dinp: new Float32Array(N * C), dweight: new Float32Array(C), dbias: new Float32Array(C) };
    const want = layernormBackwardRef(k.dout, k.inp, k.weight, ref.mean, ref.rstd, zeros, { N, C });
    check('dinp, 1 workgroup', await ctx.read(dinp), want.dinp, 1e-4);
    [inp, weight, bias, dout, out, mean, rstd, dinp].forEach((b) => b.destroy());
  });
});
