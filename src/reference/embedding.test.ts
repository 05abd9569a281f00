import { describe, expect, it } from 'vitest';
import { embeddingBackwardRef, embeddingForwardRef } from './embedding.ts';
import { dot, numericalGradient, seededArray } from './gradcheck.ts';

describe('embedding reference', () => {
  const shape = { N: 6, T: 3, C: 4 };
  const V = 5;
  const maxT = 4;
  const ids = [1, 3, 1, 0, 4, 1]; // repeated ids must accumulate

  it('forward adds the token row and the position row', () => {
    const wte = seededArray(V * shape.C, 1);
    const wpe = seededArray(maxT * shape.C, 2);
    const out = embeddingForwardRef(ids, wte, wpe, shape);
    // Row 4 is token 4 at position 4 % 3 = 1.
    expect(out[4 * 4 + 2]).toBeCloseTo(wte[4 * 4 + 2] + wpe[1 * 4 + 2], 12);
  });

  it('backward matches finite differences of the forward, and accumulates', () => {
    const wte = seededArray(V * shape.C, 3);
    const wpe = seededArray(maxT * shape.C, 4);
    const R = seededArray(shape.N * shape.C, 5); // L = ⟨out, R⟩, so dout = R
    const loss = () => dot(embeddingForwardRef(ids, wte, wpe, shape), R);
    const zeros = { wte: new Float64Array(wte.length), wpe: new Float64Array(wpe.length) };
    const { dwte, dwpe } = embeddingBackwardRef(ids, R, zeros.wte, zeros.wpe, shape);
    const fdWte = numericalGradient(loss, wte);
    const fdWpe = numericalGradient(loss, wpe);
    for (let i = 0; i < wte.length; i++) expect(dwte[i]).toBeCloseTo(fdWte[i], 8);
    for (let i = 0; i < wpe.length; i++) expect(dwpe[i]).toBeCloseTo(fdWpe[i], 8);
    expect(dwpe.slice(3 * 4).every((g) => g === 0)).toBe(true); // position 3 >= T gets nothing

    const init = seededArray(wte.length, 6);
    const acc = embeddingBackwardRef(ids, R, init, zeros.wpe, shape);
    for (let i = 0; i < wte.length; i++) expect(acc.dwte[i]).toBeCloseTo(init[i] + dwte[i], 12);
  });
});
