// A Llama pass (ModelPass): the shared orchestration (../shared/pass.ts) over Llama's activations, trunk and
// backward, plus passes that append to a KV cache (generation). The model's own run/topNext/generate use one;
// editor training keeps more.

import type { GpuContext } from '../../gpu/context.ts';
import type {
  BackwardOptions,
  HeadOutputs,
  HeadRow,
  LinearHook,
  RunOptions,
  TokenBatch,
} from '../language-model.ts';
import { forwardHead, type HeadBuffers } from '../shared/head.ts';
import { TransformerPass, type BatchShape } from '../shared/pass.ts';
import { LlamaActivations } from './activations.ts';
import { backward } from './backward.ts';
import { headParam, type LlamaDims } from './dims.ts';
import { forwardTrunk, type KvCacheView, type LlamaNet } from './forward.ts';

export class LlamaPass extends TransformerPass<LlamaActivations, KvCacheView> {
  constructor(
    ctx: GpuContext,
    private readonly net: LlamaNet,
    private readonly dims: LlamaDims,
  ) {
    super(ctx, dims);
  }

  protected createActivations(rows: number, attCells: number): LlamaActivations {
    return new LlamaActivations(this.ctx, this.dims, rows, attCells);
  }

  /** A pass whose T new tokens append to a KV cache and attend to all of it (B = 1; no backward). */
  recordCached(batch: TokenBatch, rows: HeadRow[], opts: RunOptions, cache: KvCacheView): HeadOutputs {
    if (opts.backward) throw new Error('A pass through the KV cache has no backward; run without it.');
    return this.recordWith(batch, rows, opts, cache, cache.S);
  }

  protected recordForward(
    a: LlamaActivations,
    head: HeadBuffers,
    shape: BatchShape,
    R: number,
    hook?: LinearHook,
    cache?: KvCacheView,
  ) {
    forwardTrunk(this.ctx, this.net, a, this.dims, shape, hook, cache);
    // lm_head (V, C), or the tied embedding.
    forwardHead(this.ctx, this.net.params.tensor(headParam(this.dims)), a.normed, head, this.dims, R);
  }

  protected recordBackward(
    a: LlamaActivations,
    head: HeadBuffers,
    shape: BatchShape,
    R: number,
    opts: BackwardOptions,
  ) {
    backward(this.ctx, this.net, a, head, this.dims, shape, R, opts);
  }
}
