// Applies and reverts patches on the GPU weights. Reverting works in any order and exactly: the original value
// of every touched weight is kept, and a revert rebuilds W = W₀ + Σ (remaining patches' ΔW).

import type { GpuContext } from '../gpu/context.ts';
import { matmul } from '../gpu/kernels/matmul.ts';
import type { Gpt2Model } from '../model/gpt2/model.ts';
import type { Patch, WeightDelta } from './types.ts';

export class PatchStack {
  private readonly applied: Patch[] = [];
  /** Original weights of every parameter a patch touched (GPU copies). */
  private readonly originals = new Map<string, GPUBuffer>();
  private factorBuffers: { left: GPUBuffer; right: GPUBuffer; capacity: number } | null = null;

  constructor(private readonly model: Gpt2Model) {}

  get patches(): readonly Patch[] {
    return this.applied;
  }

  apply(patch: Patch): void {
    for (const d of patch.deltas) this.checkDelta(d);
    for (const d of patch.deltas) {
      this.keepOriginal(d.param);
      this.addDelta(d);
    }
    this.applied.push(patch);
  }

  /** Removes one patch (any order); the others stay applied. */
  revert(id: string): void {
    const i = this.applied.findIndex((p) => p.id === id);
    if (i < 0) throw new Error(`No applied edit with id ${id}.`);
    const [removed] = this.applied.splice(i, 1);
    const touched = new Set(removed.deltas.map((d) => d.param));
    for (const param of touched) {
      this.restore(param);
      for (const p of this.applied) for (const d of p.deltas) if (d.param === param) this.addDelta(d);
    }
  }

  /** Back to the original weights. */
  reset(): void {
    for (const param of this.originals.keys()) this.restore(param);
    this.applied.length = 0;
  }

  destroy(): void {
    this.ctx.flush(); // restore copies recorded by reset()/revert() still read these buffers
    for (const b of this.originals.values()) b.destroy();
    this.originals.clear();
    this.factorBuffers?.left.destroy();
    this.factorBuffers?.right.destroy();
  }

  private get ctx(): GpuContext {
    return this.model.ctx;
  }

  private checkDelta(d: WeightDelta): void {
    const t = this.model.params.tensors.get(d.param);
    if (!t || t.shape.length !== 2 || t.shape[0] !== d.nIn || t.shape[1] !== d.nOut) {
      throw new Error(
        `The patch changes ${d.param} as ${d.nIn}x${d.nOut}, which this model does not have: it was made for another model.`,
      );
    }
    if (d.left.length !== d.rank * d.nIn || d.right.length !== d.rank * d.nOut) {
      throw new Error(`The patch for ${d.param} is malformed: factor sizes do not match its rank ${d.rank}.`);
    }
  }

  private keepOriginal(param: string): void {
    if (this.originals.has(param)) return;
    const t = this.model.params.tensors.get(param)!;
    const copy = this.ctx.buffer(`original.${param}`, t.size * 4);
    this.ctx.copy(t.buffer, 0, copy, 0, t.size * 4);
    this.originals.set(param, copy);
  }

  private restore(param: string): void {
    const t = this.model.params.tensors.get(param)!;
    const original = this.originals.get(param);
    if (original) this.ctx.copy(original, 0, t.buffer, 0, t.size * 4);
  }

  /** W (nIn, nOut) += leftᵀ (nIn, rank) · right (rank, nOut). */
  private addDelta(d: WeightDelta): void {
    const need = Math.max(d.left.length, d.right.length);
    if (!this.factorBuffers || this.factorBuffers.capacity < need) {
      this.factorBuffers?.left.destroy();
      this.factorBuffers?.right.destroy();
      this.factorBuffers = {
        left: this.ctx.buffer('patch.left', need * 4),
        right: this.ctx.buffer('patch.right', need * 4),
        capacity: need,
      };
    }
    // Each delta needs its own upload before its matmul runs: submit in between (patches are rare).
    this.ctx.write(this.factorBuffers.left, d.left);
    this.ctx.write(this.factorBuffers.right, d.right);
    matmul(this.ctx, {
      a: this.factorBuffers.left,
      b: this.factorBuffers.right,
      out: this.model.params.get(d.param),
      M: d.nIn,
      N: d.nOut,
      K: d.rank,
      transA: true,
      accumulate: true,
    });
    this.ctx.flush();
  }
}
