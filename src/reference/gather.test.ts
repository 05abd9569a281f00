import { describe, expect, it } from 'vitest';
import { gatherRowsRef, scatterAddRowsRef } from './gather.ts';
import { dot, numericalGradient, seededArray } from './gradcheck.ts';

describe('gather reference', () => {
  const N = 5;
  const shape = { R: 3, C: 4 };
  const idx = [4, 0, 2];

  it('gathers the indexed rows, zero for an index past the end', () => {
    const inp = seededArray(N * 4, 1);
    const out = gatherRowsRef(inp, [2, 9], { R: 2, C: 4 });
    expect(Array.from(out.slice(0, 4))).toEqual(Array.from(inp.slice(8, 12)));
    expect(Array.from(out.slice(4))).toEqual([0, 0, 0, 0]);
  });

  it('scatterAddRows is the gradient of gatherRows (finite differences), and accumulates', () => {
    const inp = seededArray(N * 4, 2);
    const R = seededArray(shape.R * 4, 3);
    const fd = numericalGradient(() => dot(gatherRowsRef(inp, idx, shape), R), inp);
    const grad = scatterAddRowsRef(R, idx, new Float64Array(N * 4), shape);
    grad.forEach((g, i) => expect(g).toBeCloseTo(fd[i], 8));
    const init = seededArray(N * 4, 4);
    scatterAddRowsRef(R, idx, init, shape).forEach((g, i) => expect(g).toBeCloseTo(init[i] + grad[i], 12));
  });
});
