// Validates the cross-entropy oracle itself: its backward against central finite differences of its forward,
// and its forward against closed forms (uniform logits give log V; huge logits stay finite).

import { describe, expect, it } from 'vitest';
import { randomArray } from '../gpu/testing.ts';
import {
  softmaxCrossEntropyBackwardRef,
  softmaxCrossEntropyForwardRef,
  softmaxRowsRef,
} from './crossentropy.ts';

describe('cross-entropy reference', () => {
  it('backward matches central finite differences of Σ losses, ignored rows included', () => {
    const R = 4;
    const V = 7;
    const logits = Float64Array.from(randomArray(R * V, 3, 3));
    const targets = [2, 0, 6, 4];
    const weights = [1, 0, 0.25, 2]; // row 1 is masked out
    const total = () =>
      softmaxCrossEntropyForwardRef(logits, targets, weights, R, V).losses.reduce((a, b) => a + b);
    const { probs } = softmaxCrossEntropyForwardRef(logits, targets, weights, R, V);
    const dlogits = softmaxCrossEntropyBackwardRef(probs, targets, weights, R, V);
    const eps = 1e-6;
    for (let i = 0; i < logits.length; i++) {
      const x = logits[i];
      logits[i] = x + eps;
      const up = total();
      logits[i] = x - eps;
      const down = total();
      logits[i] = x;
      expect(Math.abs((up - down) / (2 * eps) - dlogits[i]), `element ${i}`).toBeLessThan(1e-8);
    }
    for (let i = V; i < 2 * V; i++) expect(Math.abs(dlogits[i])).toBe(0);
  });

  it('gives log V on uniform logits, stays finite on huge ones, and zero loss on weight 0', () => {
    const V = 1000;
    const uniform = new Float64Array(V).fill(5);
    const { losses } = softmaxCrossEntropyForwardRef(uniform, [17], [1], 1, V);
    expect(losses[0]).toBeCloseTo(Math.log(V), 12);
    const huge = Float64Array.from([1e4, -1e4, 0]);
    const h = softmaxCrossEntropyForwardRef(huge, [1], [1], 1, 3);
    expect(h.losses[0]).toBeCloseTo(2e4, 6);
    expect(Array.from(h.probs)).toEqual([1, 0, 0]);
    expect(softmaxCrossEntropyForwardRef(huge, [1], [0], 1, 3).losses[0]).toBe(0);
    expect(softmaxCrossEntropyForwardRef(huge, [3], [1], 1, 3).losses[0]).toBeNaN();
  });

  it('softmax with a temperature equals the softmax of the scaled logits', () => {
    const logits = randomArray(2 * 9, 8, 4);
    const scaled = logits.map((x) => x / 2.5);
    const a = softmaxRowsRef(logits, 2, 9, 2.5);
    const b = softmaxRowsRef(scaled, 2, 9);
    a.forEach((p, i) => expect(p).toBeCloseTo(b[i], 7));
    expect(a.slice(0, 9).reduce((s, p) => s + p)).toBeCloseTo(1, 12);
  });
});
