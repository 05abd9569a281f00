// Gpt2Model: a GPT-2 on the GPU. Owns parameters and activation buffers; runs forward, backward, prediction and
// generation. The engine's single entry point for editors, training, the CLI and the worker.

import type { GpuContext } from '../../gpu/context.ts';
import { topk } from '../../gpu/kernels/topk.ts';
import { Gpt2Activations } from './activations.ts';
import { backward, type BackwardOptions } from './backward.ts';
import { lastTokenRows, makeBatch, type HeadRow, type TokenBatch } from './batch.ts';
import type { Gpt2Dims } from './dims.ts';
import { forwardHead, forwardTrunk, type LinearHook } from './forward.ts';
import { HeadBuffers } from './head.ts';
import { Gpt2Parameters } from './parameters.ts';

export interface RunOptions {
  /** Record a backward pass after the forward. */
  backward?: BackwardOptions;
  /** Extra terms on linear outputs (editors' deltas). */
  hook?: LinearHook;
  /** Read back the head's probabilities (R, V). */
  readProbs?: boolean;
}

export interface RunResult {
  /** Σ weight·NLL over the head rows. */
  loss: number;
  /** Per-row NLL·weight. */
  losses: Float32Array;
  probs?: Float32Array;
}

export interface TopToken {
  id: number;
  prob: number;
}

export class Gpt2Model {
  readonly params: Gpt2Parameters;
  private acts: Gpt2Activations | null = null;
  private head: HeadBuffers | null = null;
  private readonly topIdx: GPUBuffer;
  private readonly topVal: GPUBuffer;
  static readonly MAX_TOPK = 64;

  constructor(
    readonly ctx: GpuContext,
    readonly dims: Gpt2Dims,
    weights: Map<string, Float32Array>,
    label = 'gpt2',
  ) {
    this.params = new Gpt2Parameters(ctx, dims, label, weights);
    this.topIdx = ctx.buffer(`${label}.topIdx`, 64 * 4 * Gpt2Model.MAX_TOPK);
    this.topVal = ctx.buffer(`${label}.topVal`, 64 * 4 * Gpt2Model.MAX_TOPK);
  }

  /** Grows activation/head buffers when a batch does not fit (warm-up); otherwise reuses them. */
  private buffers(batch: TokenBatch, R: number): { a: Gpt2Activations; head: HeadBuffers } {
    const rows = batch.B * batch.T;
    const attCells = batch.B * this.dims.nHead * batch.T * batch.T;
    if (!this.acts || !this.acts.fits(rows, attCells)) {
      this.acts?.destroy();
      this.acts = new Gpt2Activations(
        this.ctx,
        this.dims,
        Math.max(rows, this.acts?.rows ?? 0),
        Math.max(attCells, this.acts?.attCells ?? 0),
      );
    }
    if (!this.head || this.head.rows < R) {
      const rowsWanted = Math.max(R, this.head?.rows ?? 0);
      this.head?.destroy();
      this.head = new HeadBuffers(this.ctx, this.dims, rowsWanted);
    }
    return { a: this.acts, head: this.head };
  }

  /** Records forward (+ backward) for `batch` with loss rows `rows`, submits, and reads the losses. */
  async run(batch: TokenBatch, rows: HeadRow[], opts: RunOptions = {}): Promise<RunResult> {
    const R = rows.length;
    if (R === 0) throw new Error('No head rows: nothing to predict.');
    const { a, head } = this.buffers(batch, R);
    this.record(batch, rows, a, head, opts);
    const losses = await this.ctx.read(head.losses, 0, R * 4);
    const probs = opts.readProbs
      ? await this.ctx.read(head.probs, 0, R * this.dims.vocabSize * 4)
      : undefined;
    let loss = 0;
    for (const l of losses) loss += l;
    return { loss, losses, probs };
  }

  /** Records without submitting or reading (training loops batch several steps' work per submit). */
  record(batch: TokenBatch, rows: HeadRow[], a: Gpt2Activations, head: HeadBuffers, opts: RunOptions): void {
    const R = rows.length;
    this.ctx.write(a.ids, batch.ids);
    this.ctx.write(
      head.rowIdx,
      Uint32Array.from(rows, (r) => r.row),
    );
    this.ctx.write(
      head.targets,
      Uint32Array.from(rows, (r) => r.target),
    );
    this.ctx.write(
      head.weights,
      Float32Array.from(rows, (r) => r.weight),
    );
    const shape = { B: batch.B, T: batch.T };
    forwardTrunk(this.ctx, this.params, a, this.dims, shape, opts.hook);
    forwardHead(this.ctx, this.params, a, head, this.dims, R);
    if (opts.backward) backward(this.ctx, this.params, a, head, this.dims, shape, R, opts.backward);
  }

  /** The activation buffers of the last run (editors read saved inputs u from them). */
  get activations(): Gpt2Activations {
    if (!this.acts) throw new Error('Run the model once before reading its activations.');
    return this.acts;
  }

  /** Full next-token distributions (V each) after each sequence. */
  async nextTokenDistributions(sequences: number[][], hook?: LinearHook): Promise<Float32Array[]> {
    const batch = makeBatch(sequences, this.dims.nPositions);
    const { probs } = await this.run(batch, lastTokenRows(batch), { hook, readProbs: true });
    const V = this.dims.vocabSize;
    return sequences.map((_, b) => probs!.subarray(b * V, (b + 1) * V));
  }

  /** Top-k next tokens after each sequence, computed on the GPU (only k values per row come back). */
  async topNext(sequences: number[][], k: number, hook?: LinearHook): Promise<TopToken[][]> {
    if (!Number.isInteger(k) || k < 1 || k > Gpt2Model.MAX_TOPK)
      throw new Error(`top-k must be an integer in 1..${Gpt2Model.MAX_TOPK}.`);
    const out: TopToken[][] = [];
    for (let start = 0; start < sequences.length; start += 64) {
      const chunk = sequences.slice(start, start + 64);
      const batch = makeBatch(chunk, this.dims.nPositions);
      const rows = lastTokenRows(batch);
      const { a, head } = this.buffers(batch, rows.length);
      this.record(batch, rows, a, head, { hook });
      topk(this.ctx, {
        values: head.probs,
        R: rows.length,
        V: this.dims.vocabSize,
        k,
        outIndex: this.topIdx,
        outValue: this.topVal,
      });
      const idx = await this.ctx.readU32(this.topIdx, 0, rows.length * k * 4);
      const val = await this.ctx.read(this.topVal, 0, rows.length * k * 4);
      for (let r = 0; r < rows.length; r++) {
        out.push(Array.from({ length: k }, (_, j) => ({ id: idx[r * k + j], prob: val[r * k + j] })));
      }
    }
    return out;
  }

  /** Greedy (temperature 0) or sampled continuation of `ids` by `maxTokens` tokens (stops at `stopId`). */
  async generate(
    ids: number[],
    maxTokens: number,
    opts: { temperature?: number; seed?: number; stopId?: number; hook?: LinearHook } = {},
  ): Promise<number[]> {
    const seq = [...ids];
    const out: number[] = [];
    let rng = (opts.seed ?? 1) >>> 0;
    for (let i = 0; i < maxTokens && seq.length < this.dims.nPositions; i++) {
      let next: number;
      if (!opts.temperature) {
        next = (await this.topNext([seq], 1, opts.hook))[0][0].id;
      } else {
        const [p] = await this.nextTokenDistributions([seq], opts.hook);
        rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
        next = sampleWithTemperature(p, opts.temperature, rng / 2 ** 32);
      }
      if (next === opts.stopId) break;
      seq.push(next);
      out.push(next);
    }
    return out;
  }

  destroy(): void {
    this.params.destroy();
    this.acts?.destroy();
    this.head?.destroy();
    this.topIdx.destroy();
    this.topVal.destroy();
  }
}

/** Samples from p^(1/temperature) renormalised, with a uniform draw u in [0, 1). */
export function sampleWithTemperature(p: Float32Array, temperature: number, u: number): number {
  let total = 0;
  const w = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) total += w[i] = Math.pow(p[i], 1 / temperature);
  let acc = 0;
  for (let i = 0; i < p.length; i++) {
    acc += w[i] / total;
    if (u < acc) return i;
  }
  return p.length - 1;
}
