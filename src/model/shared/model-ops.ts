// What every LanguageModel implementation does the same way once it has a pass: read a run's losses, next-token
// distributions and GPU top-k after a batch of prompts, and fold the side-car's terms into exported weights in
// the weight's storage order. The architectures' model.ts files delegate here.

import type { GpuContext } from '../../gpu/context.ts';
import { topk } from '../../gpu/kernels/topk.ts';
import { lastTokenRows, makeBatch } from '../batch.ts';
import type {
  HeadOutputs,
  HeadRow,
  LinearSpec,
  ModelDims,
  RunResult,
  SideCar,
  TokenBatch,
  TopToken,
} from '../language-model.ts';

/** The largest k of topNext, and the most prompts one top-k pass reads (longer lists go in chunks). */
export const MAX_TOPK = 64;
const TOPK_ROWS = 64;

/** Reads the losses (and, if asked, the probabilities) of a recorded pass; submits what was recorded. */
export async function readRun(
  ctx: GpuContext,
  head: HeadOutputs,
  V: number,
  readProbs = false,
): Promise<RunResult> {
  const losses = await ctx.read(head.losses, 0, head.R * 4);
  const probs = readProbs ? await ctx.read(head.probs, 0, head.R * V * 4) : undefined;
  let loss = 0;
  for (const l of losses) loss += l;
  return { loss, losses, probs };
}

/** GPU top-k over a pass's (R, V) probabilities: only k values per row come back. Buffers made once. */
export class TopKReader {
  private readonly idx: GPUBuffer;
  private readonly val: GPUBuffer;

  constructor(
    private readonly ctx: GpuContext,
    label: string,
  ) {
    this.idx = ctx.buffer(`${label}.topIdx`, TOPK_ROWS * 4 * MAX_TOPK);
    this.val = ctx.buffer(`${label}.topVal`, TOPK_ROWS * 4 * MAX_TOPK);
  }

  async read(probs: GPUBuffer, R: number, V: number, k: number): Promise<TopToken[][]> {
    if (R > TOPK_ROWS) throw new RangeError(`Top-k reads at most ${TOPK_ROWS} rows at a time, not ${R}.`);
    topk(this.ctx, { values: probs, R, V, k, outIndex: this.idx, outValue: this.val });
    const idx = await this.ctx.readU32(this.idx, 0, R * k * 4);
    const val = await this.ctx.read(this.val, 0, R * k * 4);
    return Array.from({ length: R }, (_, r) =>
      Array.from({ length: k }, (_, j) => ({ id: idx[r * k + j], prob: val[r * k + j] })),
    );
  }

  destroy(): void {
    this.idx.destroy();
    this.val.destroy();
  }
}

type Record = (batch: TokenBatch, rows: HeadRow[]) => HeadOutputs;

/** Full next-token distributions (V each) after each sequence, in one pass. */
export async function nextTokenDistributions(
  ctx: GpuContext,
  dims: Pick<ModelDims, 'nPositions' | 'vocabSize'>,
  record: Record,
  sequences: number[][],
): Promise<Float32Array[]> {
  const batch = makeBatch(sequences, dims.nPositions);
  const V = dims.vocabSize;
  const { probs } = await readRun(ctx, record(batch, lastTokenRows(batch)), V, true);
  return sequences.map((_, b) => probs!.subarray(b * V, (b + 1) * V));
}

/** Top-k next tokens after each sequence, computed on the GPU, up to 64 sequences a pass. */
export async function topNext(
  dims: Pick<ModelDims, 'nPositions' | 'vocabSize'>,
  record: Record,
  reader: TopKReader,
  sequences: number[][],
  k: number,
): Promise<TopToken[][]> {
  if (!Number.isInteger(k) || k < 1 || k > MAX_TOPK)
    throw new Error(`top-k must be an integer in 1..${MAX_TOPK}.`);
  const out: TopToken[][] = [];
  for (let start = 0; start < sequences.length; start += TOPK_ROWS) {
    const batch = makeBatch(sequences.slice(start, start + TOPK_ROWS), dims.nPositions);
    const rows = lastTokenRows(batch);
    out.push(...(await reader.read(record(batch, rows).probs, rows.length, dims.vocabSize, k)));
  }
  return out;
}

/**
 * Adds the side-car's current terms to the exported f32 weights `out` (checkpoint names and shapes): W + ΔW in
 * each linear's storage order, ΔW = Σ leftᵀ·right (+ dense deltas) in logical (nIn, nOut) layout.
 */
export async function mergeSideCarTerms(
  ctx: GpuContext,
  out: Map<string, Float32Array>,
  linears: readonly LinearSpec[],
  sideCar: SideCar,
): Promise<void> {
  for (const s of linears) {
    const terms = sideCar.terms(s.block, s.role);
    if (terms.length === 0) continue;
    const w = out.get(s.param)!;
    // Logical (i, j) sits at i·nOut + j in 'in_out' storage (GPT-2 Conv1D), at j·nIn + i in 'out_in' (nn.Linear).
    const [si, sj] = s.order === 'in_out' ? [s.nOut, 1] : [1, s.nIn];
    for (const t of terms) {
      if (t.kind === 'dense') {
        const dl = await ctx.read(t.delta, 0, s.nIn * s.nOut * 4);
        for (let i = 0; i < s.nIn; i++)
          for (let j = 0; j < s.nOut; j++) w[i * si + j * sj] += dl[i * s.nOut + j];
        continue;
      }
      const left = await ctx.read(t.left, 0, t.rank * s.nIn * 4);
      const right = await ctx.read(t.right, 0, t.rank * s.nOut * 4);
      for (let r = 0; r < t.rank; r++)
        for (let i = 0; i < s.nIn; i++) {
          const a = left[r * s.nIn + i];
          if (a === 0) continue;
          for (let j = 0; j < s.nOut; j++) w[i * si + j * sj] += a * right[r * s.nOut + j];
        }
    }
  }
}
