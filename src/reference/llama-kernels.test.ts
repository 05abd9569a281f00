// The Llama/Qwen3 kernels' CPU references: every hand-written backward against central finite differences of
// its own forward (f64), on awkward sizes (odd widths, T = 1, GQA groups of 2 and 3).

import { describe, expect, it } from 'vitest';
import { gqaBackwardRef, gqaForwardRef, type GqaShape } from './attention-gqa.ts';
import { dot, numericalGradient, seededArray } from './gradcheck.ts';
import { rmsnormBackwardRef, rmsnormForwardRef } from './rmsnorm.ts';
import { ropeBackwardRef, ropeForwardRef, type RopeShape } from './rope.ts';
import { swigluBackwardRef, swigluForwardRef } from './swiglu.ts';

function expectAllClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-7): void {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  expect(worst, what).toBeLessThan(tol);
}

describe('rmsnorm reference', () => {
  it.each([
    [1, 1],
    [3, 7],
    [2, 16],
  ])('backward matches finite differences (N=%i, C=%i)', (N, C) => {
    const x = seededArray(N * C, 11 + C);
    const w = seededArray(C, 5).map((v) => 1 + v / 2);
    const R = seededArray(N * C, 3);
    const f = () => dot(rmsnormForwardRef(x, w, { N, C }, 1e-5).out, R);
    const { rstd } = rmsnormForwardRef(x, w, { N, C }, 1e-5);
    const g = rmsnormBackwardRef(R, x, w, rstd, {}, { N, C });
    expectAllClose('dinp', g.dinp, numericalGradient(f, x));
    expectAllClose('dweight', g.dweight, numericalGradient(f, w));
    const acc = rmsnormBackwardRef(R, x, w, rstd, { dinp: g.dinp, dweight: g.dweight }, { N, C });
    expectAllClose(
      'accumulates',
      acc.dinp,
      g.dinp.map((v) => 2 * v),
      1e-12,
    );
  });
});

describe('rope reference', () => {
  const shapes: RopeShape[] = [
    { N: 1, T: 1, pos0: 0, H: 1, HD: 2, theta: 10000 },
    { N: 6, T: 3, pos0: 0, H: 2, HD: 8, theta: 10000 },
    { N: 2, T: 1, pos0: 37, H: 3, HD: 6, theta: 1e6 },
  ];
  it.each(shapes)(
    'backward matches finite differences; position 0 is the identity ($N rows, HD $HD)',
    (s) => {
      const n = s.N * s.H * s.HD;
      const x = seededArray(n, 7 + n);
      const R = seededArray(n, 9);
      const f = () => dot(ropeForwardRef(x, s), R);
      expectAllClose('dinp', ropeBackwardRef(R, s), numericalGradient(f, x));
      const out = ropeForwardRef(x, s);
      if (s.pos0 === 0)
        expectAllClose('pos 0', out.subarray(0, s.H * s.HD), x.subarray(0, s.H * s.HD), 1e-15);
      // A rotation keeps each pair's norm.
      const half = s.HD / 2;
      const norm = (a: ArrayLike<number>, i: number) => Math.hypot(a[i], a[i + half]);
      expect(norm(out, n - s.HD)).toBeCloseTo(norm(x, n - s.HD), 12);
    },
  );
});

describe('grouped-query attention reference', () => {
  const shapes: GqaShape[] = [
    { B: 1, T: 1, NH: 2, NKV: 1, HD: 3 },
    { B: 2, T: 4, NH: 4, NKV: 2, HD: 5 },
    { B: 1, T: 3, NH: 3, NKV: 1, HD: 4 },
    { B: 1, T: 3, NH: 2, NKV: 2, HD: 2 },
  ];
  it.each(shapes)('backward matches finite differences (B $B, T $T, $NH/$NKV heads, HD $HD)', (s) => {
    const nq = s.B * s.T * s.NH * s.HD;
    const nkv = s.B * s.T * s.NKV * s.HD;
    const [q, k, v] = [seededArray(nq, 1), seededArray(nkv, 2), seededArray(nkv, 3)];
    const R = seededArray(nq, 4);
    const f = () => dot(gqaForwardRef(q, k, v, s).out, R);
    const { att } = gqaForwardRef(q, k, v, s);
    const g = gqaBackwardRef(R, q, k, v, att, s);
    expectAllClose('dq', g.dq, numericalGradient(f, q));
    expectAllClose('dk', g.dk, numericalGradient(f, k));
    expectAllClose('dv', g.dv, numericalGradient(f, v));
  });
});

describe('swiglu reference', () => {
  it('backward matches finite differences, tails included', () => {
    const gate = Float64Array.from([-30, -6, -1, -0.2, 0, 0.3, 2, 7, 25]);
    const up = seededArray(gate.length, 5);
    const R = seededArray(gate.length, 6);
    const f = () => dot(swigluForwardRef(gate, up), R);
    const g = swigluBackwardRef(gate, up, R);
    expectAllClose('dgate', g.dgate, numericalGradient(f, gate));
    expectAllClose('dup', g.dup, numericalGradient(f, up));
  });
});
