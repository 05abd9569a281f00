import { describe, expect, it } from 'vitest';
import { adamwStepRef } from '../../reference/adamw.ts';
import { expectClose, maxAbsDiff, randomArray, testContext } from '../testing.ts';
import { adamwStep } from './adamw.ts';

function check(what: string, got: Float32Array, want: ArrayLike<number>): void {
  console.info(`${what}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`);
  expectClose(what, got, want, 1e-6, 1e-5);
}

describe('adamwStep', () => {
  it('follows the CPU reference over several steps (state carried on the GPU)', async () => {
    const ctx = await testContext();
    const hyper = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradScale: 0.25 };
    for (const n of [1, 5, 37, 1000, 4099]) {
      const param0 = randomArray(n, n);
      const paramBuf = ctx.upload('param', param0);
      const gradBuf = ctx.upload('grad', new Float32Array(n));
      const mBuf = ctx.upload('m', new Float32Array(n));
      const vBuf = ctx.upload('v', new Float32Array(n));
      let ref = { param: Float64Array.from(param0), m: new Float64Array(n), v: new Float64Array(n) };
      for (let step = 1; step <= 3; step++) {
        const grad = randomArray(n, n * 7 + step, 2);
        ctx.write(gradBuf, grad);
        adamwStep(ctx, { param: paramBuf, grad: gradBuf, m: mBuf, v: vBuf, n, step, ...hyper });
        // The reference starts each step from the GPU's f32 state, so f32 rounding does not compound.
        const [p, m, v] = [await ctx.read(paramBuf), await ctx.read(mBuf), await ctx.read(vBuf)];
        const want = adamwStepRef(ref.param, grad, ref.m, ref.v, { ...hyper, step });
        check(`param n=${n} step=${step}`, p, want.param);
        check(`m n=${n} step=${step}`, m, want.m);
        check(`v n=${n} step=${step}`, v, want.v);
        ref = { param: Float64Array.from(p), m: Float64Array.from(m), v: Float64Array.from(v) };
      }
      [paramBuf, gradBuf, mBuf, vBuf].forEach((b) => b.destroy());
    }
  });

  it('rejects a step that is not a whole number >= 1', async () => {
    const ctx = await testContext();
    const b = ctx.empty;
    const args = {
      param: b,
      grad: b,
      m: b,
      v: b,
      n: 1,
      lr: 1,
      beta1: 0.9,
      beta2: 0.99,
      eps: 0,
      weightDecay: 0,
    };
    expect(() => adamwStep(ctx, { ...args, step: 0 })).toThrow(/1-based/);
    expect(() => adamwStep(ctx, { ...args, step: 1.5 })).toThrow(/whole number/);
  });
});
