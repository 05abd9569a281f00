// The KV cache of one sequence for generation: per block, the rotated keys and the values of every position so
// far, (S, kv_heads·head_dim) each. Prefill writes the prompt's rows once; each step appends one row, so a
// generated token costs one position's work instead of re-running the whole prefix.

import type { GpuContext } from '../../gpu/context.ts';
import type { LlamaDims } from './dims.ts';
import type { KvCacheView } from './forward.ts';

export class LlamaKvCache {
  readonly k: GPUBuffer[] = [];
  readonly v: GPUBuffer[] = [];

  constructor(
    ctx: GpuContext,
    d: LlamaDims,
    /** Capacity in positions. */
    readonly S: number,
  ) {
    const KV = d.nKvHead * d.headDim;
    for (let l = 0; l < d.nLayer; l++) {
      this.k.push(ctx.buffer(`kv.k${l}`, S * KV * 4));
      this.v.push(ctx.buffer(`kv.v${l}`, S * KV * 4));
    }
  }

  view(pos0: number): KvCacheView {
    return { k: this.k, v: this.v, S: this.S, pos0 };
  }

  destroy(): void {
    for (const b of [...this.k, ...this.v]) b.destroy();
  }
}
