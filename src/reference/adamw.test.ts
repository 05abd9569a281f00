import { describe, expect, it } from 'vitest';
import { adamwStepRef, type AdamwState } from './adamw.ts';

// Properties of AdamW that follow from its definition, not from re-deriving the same code.
describe('adamw reference', () => {
  const hyper = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 0, weightDecay: 0 };

  it('with a constant gradient every step moves each parameter by exactly −lr·sign(g)', () => {
    const grad = [0.3, -2, 1e-3];
    let state: AdamwState = {
      param: Float64Array.from([1, 2, 3]),
      m: new Float64Array(3),
      v: new Float64Array(3),
    };
    for (let step = 1; step <= 5; step++) {
      const next = adamwStepRef(state.param, grad, state.m, state.v, { ...hyper, step });
      // Bias correction makes m̂ = g and v̂ = g² exactly when g is constant.
      next.param.forEach((p, i) => expect(p - state.param[i]).toBeCloseTo(-0.01 * Math.sign(grad[i]), 12));
      state = next;
    }
  });

  it('decays decoupled from the gradient: a zero gradient only shrinks by (1 − lr·wd)', () => {
    const next = adamwStepRef([2, -4], [0, 0], [0, 0], [0, 0], {
      ...hyper,
      eps: 1e-8,
      weightDecay: 0.1,
      step: 3,
    });
    expect(next.param[0]).toBeCloseTo(2 * (1 - 0.01 * 0.1), 14);
    expect(next.param[1]).toBeCloseTo(-4 * (1 - 0.01 * 0.1), 14);
  });

  it('gradScale is the same as scaling the gradient', () => {
    const args = [
      [1, 2],
      [0.5, -0.25],
      [0.1, 0.2],
      [0.01, 0.03],
    ] as const;
    const h = { ...hyper, eps: 1e-8, weightDecay: 0.05, step: 4 };
    const scaled = adamwStepRef(args[0], args[1], args[2], args[3], { ...h, gradScale: 0.5 });
    const manual = adamwStepRef(args[0], [0.25, -0.125], args[2], args[3], h);
    expect(Array.from(scaled.param)).toEqual(Array.from(manual.param));
    expect(Array.from(scaled.v)).toEqual(Array.from(manual.v));
  });
});
