// Backbone passes the editor training owns: its own activation and head buffers (so the pre-edit forward, the
// post-edit forward/backward and the gradient capture never overwrite each other's results within one
// submit), and the swap that puts ΔW = leftᵀ·right into the edited weights and takes it out again.

import type { GpuContext } from '../../gpu/context.ts';
import { Gpt2Activations } from '../../model/gpt2/activations.ts';
import type { HeadRow, TokenBatch } from '../../model/gpt2/batch.ts';
import { HeadBuffers } from '../../model/gpt2/head.ts';
import type { Gpt2Model, RunOptions } from '../../model/gpt2/model.ts';
import { addFactors } from '../hyper/factors.ts';
import type { FactorOutput } from '../hyper/types.ts';

/** One set of activation/head buffers for `model`, grown (never shrunk) when a batch does not fit. */
export class BackbonePass {
  private acts: Gpt2Activations | null = null;
  private headBuffers: HeadBuffers | null = null;

  constructor(readonly model: Gpt2Model) {}

  /** Allocates for the largest batch up front (B sequences of up to T tokens, R head rows): no later growth. */
  reserve(B: number, T: number, R: number): void {
    const { ctx, dims } = this.model;
    const n = B * T;
    const cells = B * dims.nHead * T * T;
    if (!this.acts || !this.acts.fits(n, cells)) {
      const [n0, c0] = [this.acts?.rows ?? 0, this.acts?.attCells ?? 0];
      this.acts?.destroy();
      this.acts = new Gpt2Activations(ctx, dims, Math.max(n, n0), Math.max(cells, c0));
    }
    if (!this.headBuffers || this.headBuffers.rows < R) {
      const r0 = this.headBuffers?.rows ?? 0;
      this.headBuffers?.destroy();
      this.headBuffers = new HeadBuffers(ctx, dims, Math.max(R, r0));
    }
  }

  /** Records the forward (and the backward, when `opts.backward` is set) without submitting. */
  record(batch: TokenBatch, rows: HeadRow[], opts: RunOptions = {}): HeadBuffers {
    this.reserve(batch.B, batch.T, rows.length);
    this.model.record(batch, rows, this.acts!, this.headBuffers!, opts);
    return this.headBuffers!;
  }

  destroy(): void {
    this.acts?.destroy();
    this.headBuffers?.destroy();
  }
}

/**
 * Applies hypernetwork factors to the backbone's edited weights in place (W += leftᵀ·right, so the backward
 * sees the edited weights exactly) and restores the originals from GPU copies taken once at construction.
 */
export class WeightSwap {
  private readonly originals = new Map<string, GPUBuffer>();
  private applied = false;

  constructor(
    private readonly model: Gpt2Model,
    editedParams: readonly string[],
  ) {
    const ctx: GpuContext = model.ctx;
    for (const name of editedParams) {
      const w = model.params.get(name);
      const copy = ctx.buffer(`original.${name}`, w.size);
      ctx.copy(w, 0, copy, 0, w.size);
      this.originals.set(name, copy);
    }
  }

  /** Records W_m += leftᵀ·right for every factor. */
  apply(factors: readonly FactorOutput[]): void {
    if (this.applied) throw new Error('WeightSwap.apply: restore the weights before applying another edit.');
    for (const f of factors) {
      if (!this.originals.has(f.param)) throw new Error(`WeightSwap: ${f.param} is not an edited weight.`);
      addFactors(this.model.ctx, this.model.params.get(f.param), f);
    }
    this.applied = true;
  }

  /** Records copying the original weights back. */
  restore(): void {
    for (const [name, copy] of this.originals) {
      this.model.ctx.copy(copy, 0, this.model.params.get(name), 0, copy.size);
    }
    this.applied = false;
  }

  destroy(): void {
    for (const b of this.originals.values()) b.destroy();
  }
}
