// A GPT-2 pass: activation and head buffers of its own (ModelPass), grown when a batch does not fit and reused
// otherwise (no allocation in the hot loop). The model's own run/topNext use one; editor training keeps more.

import type { HeadOutputs, HeadRow, ModelPass, RunOptions, TokenBatch } from '../language-model.ts';
import { Gpt2Activations } from './activations.ts';
import type { Gpt2Dims } from './dims.ts';
import { backward } from './backward.ts';
import { forwardHead, forwardTrunk, type Gpt2Net } from './forward.ts';
import { HeadBuffers } from './head.ts';
import type { GpuContext } from '../../gpu/context.ts';

export class Gpt2Pass implements ModelPass {
  private acts: Gpt2Activations | null = null;
  private headBuffers: HeadBuffers | null = null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly net: Gpt2Net,
    private readonly dims: Gpt2Dims,
  ) {}

  reserve(B: number, T: number, R: number): void {
    const rows = B * T;
    const cells = B * this.dims.nHead * T * T;
    if (!this.acts || !this.acts.fits(rows, cells)) {
      const [n0, c0] = [this.acts?.rows ?? 0, this.acts?.attCells ?? 0];
      this.acts?.destroy();
      this.acts = new Gpt2Activations(this.ctx, this.dims, Math.max(rows, n0), Math.max(cells, c0));
    }
    if (!this.headBuffers || this.headBuffers.rows < R) {
      const r0 = this.headBuffers?.rows ?? 0;
      this.headBuffers?.destroy();
      this.headBuffers = new HeadBuffers(this.ctx, this.dims, Math.max(R, r0));
    }
  }

  /** The head buffers of the last record (topk reads probs from here). */
  get head(): HeadBuffers {
    if (!this.headBuffers) throw new Error('Record a pass before reading its head.');
    return this.headBuffers;
  }

  /** The activations of the last record (tests read saved inputs from here). */
  get activations(): Gpt2Activations {
    if (!this.acts) throw new Error('Run the model once before reading its activations.');
    return this.acts;
  }

  record(batch: TokenBatch, rows: HeadRow[], opts: RunOptions = {}): HeadOutputs {
    const R = rows.length;
    if (R === 0) throw new Error('No head rows: nothing to predict.');
    this.reserve(batch.B, batch.T, R);
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
    forwardTrunk(ctx, net, a, dims, shape, opts.hook);
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
