// A pass with activation and head buffers of its own (ModelPass), the same orchestration for every
// architecture: buffers grown when a batch does not fit and reused otherwise (no allocation in the hot loop),
// the batch's ids and head rows written, then the architecture's trunk, the shared head, and the backward.
// The model's own run/topNext/generate use one; editor training keeps more.

import type { GpuContext } from '../../gpu/context.ts';
import type {
  BackwardOptions,
  HeadOutputs,
  HeadRow,
  LinearHook,
  ModelDims,
  ModelPass,
  RunOptions,
  TokenBatch,
} from '../language-model.ts';
import { HeadBuffers } from './head.ts';

/** What the pass needs of an architecture's activation buffers. */
export interface PassActivations {
  /** Capacity in rows (B·T) and attention cells (B·NH·T·S). */
  readonly rows: number;
  readonly attCells: number;
  /** (rows) u32 token ids, written by the pass. */
  readonly ids: GPUBuffer;
  fits(rows: number, attCells: number): boolean;
  destroy(): void;
}

export interface BatchShape {
  B: number;
  T: number;
}

/**
 * `A`: the architecture's activations; `K`: what a pass may read besides the batch (Llama's KV cache view;
 * never for GPT-2, whose cached decoding has its own buffers).
 */
export abstract class TransformerPass<A extends PassActivations, K = never> implements ModelPass {
  private acts: A | null = null;
  private headBuffers: HeadBuffers | null = null;

  constructor(
    protected readonly ctx: GpuContext,
    protected readonly modelDims: ModelDims,
  ) {}

  protected abstract createActivations(rows: number, attCells: number): A;
  /** Records the blocks, final norm and head (head rows already written). */
  protected abstract recordForward(
    a: A,
    head: HeadBuffers,
    shape: BatchShape,
    R: number,
    hook?: LinearHook,
    extra?: K,
  ): void;
  protected abstract recordBackward(
    a: A,
    head: HeadBuffers,
    shape: BatchShape,
    R: number,
    opts: BackwardOptions,
  ): void;

  /** Room for B sequences of T new tokens attending to S positions each (S = T without a cache). */
  reserve(B: number, T: number, R: number, S = T): void {
    const rows = B * T;
    const cells = B * this.modelDims.nHead * T * S;
    if (!this.acts || !this.acts.fits(rows, cells)) {
      const [n0, c0] = [this.acts?.rows ?? 0, this.acts?.attCells ?? 0];
      // Work recorded earlier may still read the old buffers: submit it before they go.
      if (this.acts) this.ctx.flush();
      this.acts?.destroy();
      this.acts = this.createActivations(Math.max(rows, n0), Math.max(cells, c0));
    }
    if (!this.headBuffers || this.headBuffers.rows < R) {
      const r0 = this.headBuffers?.rows ?? 0;
      if (this.headBuffers) this.ctx.flush();
      this.headBuffers?.destroy();
      this.headBuffers = new HeadBuffers(this.ctx, this.modelDims, Math.max(R, r0));
    }
  }

  /** The head buffers of the last record (topk reads probs from here). */
  get head(): HeadBuffers {
    if (!this.headBuffers) throw new Error('Record a pass before reading its head.');
    return this.headBuffers;
  }

  /** The activations of the last record (tests read saved inputs from here). */
  get activations(): A {
    if (!this.acts) throw new Error('Run the model once before reading its activations.');
    return this.acts;
  }

  record(batch: TokenBatch, rows: HeadRow[], opts: RunOptions = {}): HeadOutputs {
    return this.recordWith(batch, rows, opts);
  }

  /** record(), with what the architecture reads besides the batch (`extra`, S its attention span). */
  protected recordWith(
    batch: TokenBatch,
    rows: HeadRow[],
    opts: RunOptions,
    extra?: K,
    S?: number,
  ): HeadOutputs {
    const R = rows.length;
    if (R === 0) throw new Error('No head rows: nothing to predict.');
    this.reserve(batch.B, batch.T, R, S);
    const a = this.acts!;
    const head = this.headBuffers!;
    this.ctx.write(a.ids, batch.ids);
    head.write(this.ctx, rows);
    const shape = { B: batch.B, T: batch.T };
    this.recordForward(a, head, shape, R, opts.hook, extra);
    if (opts.backward) this.recordBackward(a, head, shape, R, opts.backward);
    return { probs: head.probs, losses: head.losses, R };
  }

  destroy(): void {
    this.acts?.destroy();
    this.headBuffers?.destroy();
    this.acts = null;
    this.headBuffers = null;
  }
}
