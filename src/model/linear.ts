// The one place a linear layer is dispatched, for every architecture: y = x·W (+ b) (+ side-car terms) and, in
// the backward, dx = δ·Wᵀ (+ side-car terms) and the f32 weight/bias gradients. The weight's storage format
// and order are resolved here (FORMATS), so model code and editors never branch on them.
//
// Side-car terms (src/model/language-model.ts, SideCar): for ΔW = leftᵀ·right, y += (x·leftᵀ)·right and
// dx += (δ·rightᵀ)·left: two skinny matmuls through an (N, rank) scratch instead of a dense ΔW, so edits cost
// O(N·rank·(nIn + nOut)) per pass and the frozen weight is never written. A dense term (FT-L) adds x·Δ.

import type { GpuContext } from '../gpu/context.ts';
import { matmul } from '../gpu/kernels/matmul.ts';
import type { LinearWeight, SideCarTerm, WeightFormat } from './language-model.ts';
import { QUANT_FORMAT_KERNELS } from './quant/formats.ts';

/** The matmuls one weight format needs. Formats without gradients leave `weightGrad` out. */
export interface FormatKernels {
  /** y (rows, nOut) = x (rows, nIn)·W + bias. */
  forward(ctx: GpuContext, w: LinearWeight, x: GPUBuffer, y: GPUBuffer, rows: number): void;
  /** dx (rows, nIn) = dy (rows, nOut)·Wᵀ (overwrites dx). */
  backwardInput(ctx: GpuContext, w: LinearWeight, dy: GPUBuffer, dx: GPUBuffer, rows: number): void;
  /** dW (storage shape) += gradient from u (rows, nIn), dy (rows, nOut). */
  weightGrad?(
    ctx: GpuContext,
    w: LinearWeight,
    u: GPUBuffer,
    dy: GPUBuffer,
    dW: GPUBuffer,
    rows: number,
  ): void;
}

const F32: FormatKernels = {
  forward(ctx, w, x, y, rows) {
    const bias = w.bias ?? undefined;
    // in_out: W (nIn, nOut), y = x·W.  out_in: W (nOut, nIn), y = x·Wᵀ.
    matmul(ctx, {
      a: x,
      b: w.data,
      bias,
      out: y,
      M: rows,
      N: w.nOut,
      K: w.nIn,
      transB: w.order === 'out_in',
    });
  },
  backwardInput(ctx, w, dy, dx, rows) {
    // in_out: dx = dy·Wᵀ.  out_in: dx = dy·W.
    matmul(ctx, { a: dy, b: w.data, out: dx, M: rows, N: w.nIn, K: w.nOut, transB: w.order === 'in_out' });
  },
  weightGrad(ctx, w, u, dy, dW, rows) {
    if (w.order === 'in_out')
      matmul(ctx, { a: u, b: dy, out: dW, M: w.nIn, N: w.nOut, K: rows, transA: true, accumulate: true });
    else matmul(ctx, { a: dy, b: u, out: dW, M: w.nOut, N: w.nIn, K: rows, transA: true, accumulate: true });
  },
};

/** Kernels per weight format; quantized formats add their entry here. */
export const FORMATS: Partial<Record<WeightFormat, FormatKernels>> = { f32: F32, ...QUANT_FORMAT_KERNELS };

function kernelsFor(w: LinearWeight): FormatKernels {
  const k = FORMATS[w.format];
  if (!k) throw new Error(`Weights stored as ${w.format} cannot run on this engine yet.`);
  return k;
}

/** An (N, rank) buffer for side-car intermediates, grown when a pass needs more (warm-up only). */
export class LinearScratch {
  private buf: GPUBuffer | null = null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly label: string,
  ) {}

  get(floats: number): GPUBuffer {
    const bytes = Math.max(4, floats * 4);
    if (!this.buf || this.buf.size < bytes) {
      // A buffer still read by recorded work must outlive this record: flush before replacing it.
      if (this.buf) {
        this.ctx.flush();
        this.buf.destroy();
      }
      this.buf = this.ctx.buffer(`${this.label}.sidecar`, bytes);
    }
    return this.buf;
  }

  destroy(): void {
    this.buf?.destroy();
    this.buf = null;
  }
}

export interface LinearCall {
  weight: LinearWeight;
  terms: readonly SideCarTerm[];
  rows: number;
  scratch: LinearScratch;
}

/** Records y = x·W (+ b) + Σ side-car terms. */
export function linearForward(ctx: GpuContext, c: LinearCall, x: GPUBuffer, y: GPUBuffer): void {
  const { weight: w, rows } = c;
  kernelsFor(w).forward(ctx, w, x, y, rows);
  for (const t of c.terms) {
    if (t.kind === 'dense') {
      matmul(ctx, { a: x, b: t.delta, out: y, M: rows, N: w.nOut, K: w.nIn, accumulate: true });
    } else {
      const s = c.scratch.get(rows * t.rank);
      matmul(ctx, { a: x, b: t.left, out: s, M: rows, N: t.rank, K: w.nIn, transB: true });
      matmul(ctx, { a: s, b: t.right, out: y, M: rows, N: w.nOut, K: t.rank, accumulate: true });
    }
  }
}

/** Records dx = δ·Wᵀ + Σ side-car terms' input gradients (overwrites dx). */
export function linearBackwardInput(ctx: GpuContext, c: LinearCall, dy: GPUBuffer, dx: GPUBuffer): void {
  const { weight: w, rows } = c;
  kernelsFor(w).backwardInput(ctx, w, dy, dx, rows);
  for (const t of c.terms) {
    if (t.kind === 'dense') {
      matmul(ctx, {
        a: dy,
        b: t.delta,
        out: dx,
        M: rows,
        N: w.nIn,
        K: w.nOut,
        transB: true,
        accumulate: true,
      });
    } else {
      const s = c.scratch.get(rows * t.rank);
      matmul(ctx, { a: dy, b: t.right, out: s, M: rows, N: t.rank, K: w.nOut, transB: true });
      matmul(ctx, { a: s, b: t.left, out: dx, M: rows, N: w.nIn, K: t.rank, accumulate: true });
    }
  }
}

/**
 * Records the frozen weight's own gradients: dW (storage shape) += from u, δ; db (nOut) += ones(1, N)·δ.
 * Side-car terms do not change ∂L/∂W (it is uᵀ·δ either way). f32 only.
 */
export function linearWeightGradients(
  ctx: GpuContext,
  w: LinearWeight,
  u: GPUBuffer,
  dy: GPUBuffer,
  rows: number,
  grads: { dW?: GPUBuffer; db?: GPUBuffer; ones?: GPUBuffer },
): void {
  if (grads.dW) {
    const k = kernelsFor(w);
    if (!k.weightGrad) throw new Error(`Weights stored as ${w.format} cannot be trained; load them as f32.`);
    k.weightGrad(ctx, w, u, dy, grads.dW, rows);
  }
  if (grads.db) {
    if (!grads.ones) throw new Error('linearWeightGradients: a bias gradient needs the ones vector.');
    matmul(ctx, { a: grads.ones, b: dy, out: grads.db, M: 1, N: w.nOut, K: rows, accumulate: true });
  }
}
