// Applies and reverts patches as side-car terms next to the frozen weights (SideCar in
// src/model/language-model.ts): for every linear a patch touches, the low-rank factors of all applied patches
// are concatenated into one (Σ rank, nIn) / (Σ rank, nOut) pair and dense deltas (FT-L) summed into one
// (nIn, nOut) tensor, both rebuilt from the patches' CPU copies whenever the set changes. Base weights are never
// written, so revert in any order is exact: the rebuilt terms are exactly those of the remaining patches, in the
// order they were applied. `mergedWeights` folds the terms into f32 weights for export.

import type { GpuContext } from '../gpu/context.ts';
import type { LanguageModel, LinearRole } from '../model/language-model.ts';
import type { Patch, WeightDelta } from './types.ts';

/** The side-car owners PatchStack uses (other owners: an editor's own running terms). */
export const PATCH_OWNER = 'patches';
export const PATCH_DENSE_OWNER = 'patches.dense';

interface LinearTerms {
  block: number;
  role: LinearRole;
  lowRank: { left: GPUBuffer; right: GPUBuffer; rank: number } | null;
  dense: GPUBuffer | null;
}

export class PatchStack {
  private readonly applied: Patch[] = [];
  private readonly linears = new Map<string, LinearTerms>();
  private destroyed = false;

  constructor(private readonly model: LanguageModel) {}

  get patches(): readonly Patch[] {
    return this.applied;
  }

  apply(patch: Patch): void {
    for (const d of patch.deltas) this.checkDelta(d);
    this.applied.push(patch);
    this.rebuild(patch.deltas);
  }

  /** Removes one patch (any order); the others stay applied. */
  revert(id: string): void {
    const i = this.applied.findIndex((p) => p.id === id);
    if (i < 0) throw new Error(`No applied edit with id ${id}.`);
    const [removed] = this.applied.splice(i, 1);
    this.rebuild(removed.deltas);
  }

  /** Back to the original model: every side-car term of the patches removed. */
  reset(): void {
    const all = this.applied.flatMap((p) => p.deltas);
    this.applied.length = 0;
    this.rebuild(all);
  }

  /**
   * Every parameter with the applied patches merged in (f32 models): the edited model, for download/export.
   * Only this stack's terms count; the live weights stay untouched.
   */
  async mergedWeights(): Promise<Map<string, Float32Array>> {
    return this.model.exportWeights({ merged: true });
  }

  /** Takes the terms out of the model and frees them. Safe to call after the model is gone. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.model.sideCar.clear(PATCH_OWNER);
    this.model.sideCar.clear(PATCH_DENSE_OWNER);
    this.ctx.flush(); // recorded passes may still read these buffers
    for (const t of this.linears.values()) this.free(t);
    this.linears.clear();
  }

  private get ctx(): GpuContext {
    return this.model.ctx;
  }

  private checkDelta(d: WeightDelta): void {
    let spec;
    try {
      spec = this.model.linear(d.block, d.role);
    } catch {
      spec = null;
    }
    if (!spec || spec.nIn !== d.nIn || spec.nOut !== d.nOut) {
      throw new Error(
        `The patch changes ${d.role} of block ${d.block} as ${d.nIn}x${d.nOut}, which this model does not have: it was made for another model.`,
      );
    }
    if (d.left.length !== d.rank * d.nIn || d.right.length !== d.rank * d.nOut) {
      throw new Error(`The patch for ${d.param} is malformed: factor sizes do not match its rank ${d.rank}.`);
    }
    if (d.dense && d.dense.length !== d.nIn * d.nOut)
      throw new Error(`The patch for ${d.param} is malformed: its dense delta is not ${d.nIn}x${d.nOut}.`);
  }

  /** Rebuilds the side-car terms of every linear that `touched` names, from the patches now applied. */
  private rebuild(touched: readonly WeightDelta[]): void {
    if (this.destroyed) throw new Error('This edit session has ended: load the model again.');
    const keys = new Map<string, { block: number; role: LinearRole }>();
    for (const d of touched) keys.set(`${d.block}.${d.role}`, { block: d.block, role: d.role });
    const old: LinearTerms[] = [];
    for (const [key, { block, role }] of keys) {
      const { nIn, nOut } = this.model.linear(block, role);
      const deltas = this.applied.flatMap((p) =>
        p.deltas.filter((d) => d.block === block && d.role === role),
      );
      const lowRank = deltas.filter((d) => !d.dense);
      const dense = deltas.filter((d) => d.dense);
      const t: LinearTerms = { block, role, lowRank: null, dense: null };
      const rank = lowRank.reduce((s, d) => s + d.rank, 0);
      if (rank > 0) {
        const left = new Float32Array(rank * nIn);
        const right = new Float32Array(rank * nOut);
        let r = 0;
        for (const d of lowRank) {
          left.set(d.left, r * nIn);
          right.set(d.right, r * nOut);
          r += d.rank;
        }
        t.lowRank = {
          rank,
          left: this.ctx.upload(`patch.${key}.left`, left),
          right: this.ctx.upload(`patch.${key}.right`, right),
        };
      }
      if (dense.length > 0) {
        const sum = new Float32Array(nIn * nOut);
        for (const d of dense) for (let i = 0; i < sum.length; i++) sum[i] += d.dense![i];
        t.dense = this.ctx.upload(`patch.${key}.dense`, sum);
      }
      const sc = this.model.sideCar;
      sc.set(PATCH_OWNER, block, role, t.lowRank && { kind: 'low_rank', ...t.lowRank });
      sc.set(PATCH_DENSE_OWNER, block, role, t.dense && { kind: 'dense', delta: t.dense });
      const prev = this.linears.get(key);
      if (prev) old.push(prev);
      if (t.lowRank || t.dense) this.linears.set(key, t);
      else this.linears.delete(key);
    }
    if (old.length > 0) {
      this.ctx.flush(); // work recorded before this change may still read the old terms
      for (const t of old) this.free(t);
    }
  }

  private free(t: LinearTerms): void {
    t.lowRank?.left.destroy();
    t.lowRank?.right.destroy();
    t.dense?.destroy();
  }
}
