// A Llama pass: activation and head buffers of its own (ModelPass), grown when a batch does not fit and reused
// otherwise (no allocation in the hot loop). The model's own run/topNext/generate use one; editor training
// keeps more.

import type { GpuContext } from '../../gpu/context.ts';
import type { HeadOutputs, HeadRow, ModelPass, RunOptions, TokenBatch } from '../language-model.ts';
import { LlamaActivations } from './activations.ts';
import { backward } from './backward.ts';
import type { LlamaDims } from './dims.ts';
import { forwardHead, forwardTrunk, type KvCacheView, type LlamaNet } from './forward.ts';
import { LlamaHeadBuffers } from './head.ts';

export class LlamaPass implements ModelPass {
  private acts: LlamaActivations | null = null;
  private headBuffers: LlamaHeadBuffers | null = null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly net: LlamaNet,
    private readonly dims: LlamaDims,
  ) {}

  /** Room for B sequences of T new tokens attending to S positions each (S = T without a cache). */
  reserve(B: number, T: number, R: number, S = T): void {
    const rows = B * T;
    const cells = B * this.dims.nHead * T * S;
    if (!this.acts || !this.acts.fits(rows, cells)) {
      const [n0, c0] = [this.acts?.rows ?? 0, this.acts?.attCells ?? 0];
      // Work recorded earlier may still read the old buffers: submit it before they go.
      this.ctx.flush();
      this.acts?.destroy();
      this.acts = new LlamaActivations(this.ctx, this.dims, Math.max(rows, n0), Math.max(cells, c0));
    }
    if (!this.headBuffers || this.headBuffers.rows < R) {
      const r0 = this.headBuffers?.rows ?? 0;
      this.ctx.flush();
      this.headBuffers?.destroy();
      this.headBuffers = new LlamaHeadBuffers(this.ctx, this.dims, Math.max(R, r0));
    }
  }

  get head(): LlamaHeadBuffers {
    if (!this.headBuffers) throw new Error('Record a pass before reading its head.');
    return this.headBuffers;
  }

  get activations(): LlamaActivations {
    if (!this.acts) throw new Error('Run the model once before reading its activations.');
    return this.acts;
  }

  record(batch: TokenBatch, rows: HeadRow[], opts: RunOptions = {}): HeadOutputs {
    return this.recordWith(batch, rows, opts);
  }

  /** record(), optionally appending to a KV cache (B = 1; no backward through a cache). */
  recordWith(batch: TokenBatch, rows: HeadRow[], opts: RunOptions, cache?: KvCacheView): HeadOutputs {
    const R = rows.length;
    if (R === 0) throw new Error('No head rows: nothing to predict.');
    if (cache && opts.backward)
      throw new Error('A pass through the KV cache has no backward; run without it.');
    this.reserve(batch.B, batch.T, R, cache?.S);
    const a = this.acts!;
    const head = this.headBuffers!;
    const { ctx, net, dims } = this;
    ctx.write(a.ids, batch.ids);
    ctx.write(
      head.rowIdx,
      Uint32Array.from(rows, (r) => r.row),
    );
    ctx.write(
      head.targets,
      Uint32Array.from(rows, (r) => r.target),
    );
    ctx.write(
      head.weights,
      Float32Array.from(rows, (r) => r.weight),
    );
    const shape = { B: batch.B, T: batch.T };
    forwardTrunk(ctx, net, a, dims, shape, opts.hook, cache);
    forwardHead(ctx, net.params, a, head, dims, R);
    if (opts.backward) backward(ctx, net, a, head, dims, shape, R, opts.backward);
    return { probs: head.probs, losses: head.losses, R };
  }

  destroy(): void {
    this.acts?.destroy();
    this.headBuffers?.destroy();
    this.acts = null;
    this.headBuffers = null;
  }
}
