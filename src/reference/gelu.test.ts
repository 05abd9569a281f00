import { describe, expect, it } from 'vitest';
import { geluBackwardRef, geluForwardRef } from './gelu.ts';
import { numericalGradient } from './gradcheck.ts';

describe('gelu reference', () => {
  it('backward matches finite differences of the forward', () => {
    const xs = Float64Array.from({ length: 41 }, (_, i) => -6 + 0.3 * i + 0.01);
    const x = new Float64Array(1);
    const dout = [1];
    const analytic = geluBackwardRef(xs, new Float64Array(xs.length).fill(1));
    xs.forEach((xi, i) => {
      x[0] = xi;
      const [fd] = numericalGradient(() => geluForwardRef(x)[0], x);
      expect(analytic[i], `x = ${xi}`).toBeCloseTo(fd, 8);
      expect(geluBackwardRef(x, [2.5])[0]).toBeCloseTo(2.5 * geluBackwardRef(x, dout)[0], 12);
    });
  });

  it('tends to the identity / zero far out, without NaN', () => {
    const xs = [-1e200, -1e20, -50, 50, 1e20, 1e200];
    const y = geluForwardRef(xs);
    const dy = geluBackwardRef(xs, [1, 1, 1, 1, 1, 1]);
    expect(Array.from(y.slice(0, 3)).every((v) => Math.abs(v) < 1e-300)).toBe(true);
    expect(Array.from(y.slice(3))).toEqual(xs.slice(3));
    expect(Array.from(dy)).toEqual([0, 0, 0, 1, 1, 1]);
  });
});
