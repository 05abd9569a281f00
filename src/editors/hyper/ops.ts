// Linear layers of the editors' networks on the engine's matmul (torch.nn.Linear with x (rows, nIn),
// W (nIn, nOut), y = x W + b) with their hand-written backward (parameter gradients +=, llm.c's habit).

import type { GpuContext } from '../../gpu/context.ts';
import { matmul } from '../../gpu/kernels/matmul.ts';
import type { HypernetParam } from './types.ts';

export interface LinearShape {
  rows: number;
  nIn: number;
  nOut: number;
}

/** y (rows, nOut) = x (rows, nIn) · W (nIn, nOut) (+ b); `accumulate` adds into y. */
export function linearForward(
  ctx: GpuContext,
  x: GPUBuffer,
  w: HypernetParam,
  b: HypernetParam | null,
  y: GPUBuffer,
  s: LinearShape,
  accumulate = false,
): void {
  matmul(ctx, { a: x, b: w.buffer, bias: b?.buffer, out: y, M: s.rows, N: s.nOut, K: s.nIn, accumulate });
}

/**
 * dW += xᵀ·dy, db += 1ᵀ·dy; dx (rows, nIn) = dy·Wᵀ (or += with accumulateDx; skipped when dx is null).
 * `ones` holds at least `rows` ones.
 */
export function linearBackward(
  ctx: GpuContext,
  x: GPUBuffer,
  dy: GPUBuffer,
  w: HypernetParam,
  b: HypernetParam | null,
  dx: GPUBuffer | null,
  s: LinearShape,
  ones: GPUBuffer,
  accumulateDx = false,
): void {
  matmul(ctx, { a: x, b: dy, out: w.grad, M: s.nIn, N: s.nOut, K: s.rows, transA: true, accumulate: true });
  if (b) matmul(ctx, { a: ones, b: dy, out: b.grad, M: 1, N: s.nOut, K: s.rows, accumulate: true });
  if (dx)
    matmul(ctx, {
      a: dy,
      b: w.buffer,
      out: dx,
      M: s.rows,
      N: s.nIn,
      K: s.nOut,
      transB: true,
      accumulate: accumulateDx,
    });
}
