import { describe, expect, it } from 'vitest';
import { dot, numericalGradient, seededArray } from './gradcheck.ts';
import { layernormBackwardRef, layernormForwardRef } from './layernorm.ts';

describe('layernorm reference', () => {
  const shape = { N: 3, C: 5 };
  const eps = 1e-5;

  it('forward normalizes each row to mean 0 and variance var/(var + eps)', () => {
    const inp = seededArray(15, 1).map((x, i) => x * 3 + i); // rows with a large mean
    const { out, mean, rstd } = layernormForwardRef(
      inp,
      new Float64Array(5).fill(1),
      new Float64Array(5),
      shape,
      eps,
    );
    for (let n = 0; n < 3; n++) {
      const row = Array.from(out.slice(n * 5, n * 5 + 5));
      const mu = row.reduce((s, x) => s + x, 0) / 5;
      const variance = row.reduce((s, x) => s + (x - mu) ** 2, 0) / 5;
      const rawVar = 1 / rstd[n] ** 2 - eps;
      expect(mu).toBeCloseTo(0, 12);
      expect(variance).toBeCloseTo(rawVar / (rawVar + eps), 12);
      expect(mean[n]).toBeCloseTo(Array.from(inp.slice(n * 5, n * 5 + 5)).reduce((s, x) => s + x, 0) / 5, 12);
    }
  });

  it('backward matches finite differences of the forward, and accumulates', () => {
    const inp = seededArray(15, 2);
    const weight = seededArray(5, 3).map((w) => 1 + w / 2);
    const bias = seededArray(5, 4);
    const R = seededArray(15, 5); // L = ⟨out, R⟩, so dout = R
    const loss = () => dot(layernormForwardRef(inp, weight, bias, shape, eps).out, R);
    const { mean, rstd } = layernormForwardRef(inp, weight, bias, shape, eps);
    const zeros = { dinp: new Float64Array(15), dweight: new Float64Array(5), dbias: new Float64Array(5) };
    const g = layernormBackwardRef(R, inp, weight, mean, rstd, zeros, shape);
    const fd = {
      dinp: numericalGradient(loss, inp),
      dweight: numericalGradient(loss, weight),
      dbias: numericalGradient(loss, bias),
    };
    for (const key of ['dinp', 'dweight', 'dbias'] as const) {
      g[key].forEach((v, i) => expect(v, `${key}[${i}]`).toBeCloseTo(fd[key][i], 7));
    }

    const init = { dinp: seededArray(15, 6), dweight: seededArray(5, 7), dbias: seededArray(5, 8) };
    const acc = layernormBackwardRef(R, inp, weight, mean, rstd, init, shape);
    for (const key of ['dinp', 'dweight', 'dbias'] as const) {
      acc[key].forEach((v, i) => expect(v).toBeCloseTo(init[key][i] + g[key][i], 12));
    }
  });
});
