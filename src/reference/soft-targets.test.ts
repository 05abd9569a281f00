import { expect, it } from 'vitest';
import { seededRandom } from '../model/testing.ts';
import { klToSoftmaxRef, softTargetBackwardRef } from './soft-targets.ts';

function softmax(z: ArrayLike<number>): Float64Array {
  const m = Math.max(...Array.from(z));
  const e = Float64Array.from(z, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

it('the soft-target gradient is the finite-difference gradient of w·KL(q ‖ softmax(z))', () => {
  const V = 7;
  const z = Float64Array.from(seededRandom(V, 1, 2));
  const q = softmax(seededRandom(V, 2, 2));
  const w = 0.3;
  const grad = softTargetBackwardRef([0], [w], q, softmax(z), new Float64Array(V), V);
  const h = 1e-5;
  for (let i = 0; i < V; i++) {
    const zp = Float64Array.from(z);
    const zm = Float64Array.from(z);
    zp[i] += h;
    zm[i] -= h;
    const fd = (w * (klToSoftmaxRef(q, zp) - klToSoftmaxRef(q, zm))) / (2 * h);
    expect(grad[i]).toBeCloseTo(fd, 8);
  }
  // KL of a distribution to itself is 0.
  expect(klToSoftmaxRef(q, Float64Array.from(q, Math.log))).toBeCloseTo(0, 12);
});
