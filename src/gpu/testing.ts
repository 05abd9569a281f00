// Shared by the GPU tests (Node): one device per test file, and comparison helpers that print the max difference.

import { expect } from 'vitest';
import { GpuContext } from './context.ts';
import { acquireNodeDevice } from './node.ts';
import { uniformArray } from '../util/random.ts';

let shared: Promise<GpuContext> | undefined;

/** The adapter the GPU tests run on. Fails (never skips) with the driver hint when there is none. */
export function testContext(): Promise<GpuContext> {
  shared ??= acquireNodeDevice().then((d) => new GpuContext(d));
  return shared;
}

/** Deterministic values in [-scale, scale) (mulberry32), so failures reproduce. */
export const randomArray = uniformArray;

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Asserts |a - b| <= atol + rtol·|b| elementwise and reports the worst element. */
export function expectClose(
  what: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  atol = 1e-4,
  rtol = 1e-4,
): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < got.length; i++) {
    const excess = Math.abs(got[i] - want[i]) - (atol + rtol * Math.abs(want[i]));
    if (!(excess <= worstExcess)) {
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: max diff ${maxAbsDiff(got, want).toExponential(2)}; element ${worst}: got ${got[worst]}, want ${want[worst]}`,
    );
  }
}
