// Turning the hypernetworks' factors into what the rest of the engine uses: the chain rule from a dense
// ∂L/∂ΔW to the factors (training), adding ΔW into a weight, and downloading a Patch's WeightDeltas.

import type { GpuContext } from '../../gpu/context.ts';
import { matmul } from '../../gpu/kernels/matmul.ts';
import type { LanguageModel } from '../../model/language-model.ts';
import type { WeightDelta } from '../types.ts';
import { editedShape } from './layers.ts';
import type { FactorOutput } from './types.ts';

/**
 * For ΔW = leftᵀ·right (nIn, nOut) and G = ∂L/∂ΔW (nIn, nOut):
 *   dLeft (rank, nIn) = right·Gᵀ,   dRight (rank, nOut) = left·G   (both overwritten).
 */
export function factorGradients(
  ctx: GpuContext,
  f: FactorOutput,
  dW: GPUBuffer,
  out: { dLeft: GPUBuffer; dRight: GPUBuffer },
): void {
  matmul(ctx, { a: f.right, b: dW, out: out.dLeft, M: f.rank, N: f.nIn, K: f.nOut, transB: true });
  matmul(ctx, { a: f.left, b: dW, out: out.dRight, M: f.rank, N: f.nOut, K: f.nIn });
}

/** W (nIn, nOut) += leftᵀ·right: applies a hypernetwork's edit to a weight buffer. */
export function addFactors(ctx: GpuContext, weight: GPUBuffer, f: FactorOutput): void {
  matmul(ctx, {
    a: f.left,
    b: f.right,
    out: weight,
    M: f.nIn,
    N: f.nOut,
    K: f.rank,
    transA: true,
    accumulate: true,
  });
}

/** Reads the factors back as a Patch's deltas. */
export async function downloadDeltas(model: LanguageModel, outs: FactorOutput[]): Promise<WeightDelta[]> {
  const { ctx } = model;
  const deltas: WeightDelta[] = [];
  for (const f of outs) {
    const { block, role } = editedShape(model, f.key);
    deltas.push({
      block,
      role,
      param: model.linear(block, role).param,
      nIn: f.nIn,
      nOut: f.nOut,
      rank: f.rank,
      left: await ctx.read(f.left, 0, f.rank * f.nIn * 4),
      right: await ctx.read(f.right, 0, f.rank * f.nOut * 4),
    });
  }
  return deltas;
}
