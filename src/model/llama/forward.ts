// Llama / Qwen2 / Qwen3 forward pass (the math of HF's LlamaForCausalLM / Qwen3ForCausalLM), recorded as GPU
// dispatches. Per block: x + o_proj(attn(rope(norm_qk(q_proj(n1))), rope(norm_qk(k_proj(n1))), v_proj(n1))),
// then + down_proj(silu(gate_proj(n2))·up_proj(n2)), n1/n2 the RMSNorms. B sequences right-padded to T; causal
// attention means a real token never attends to padding. With a KV cache (B = 1), the T new tokens sit at
// positions pos0.., their keys/values are appended to the cache and attention reads the whole cache.

import type { GpuContext } from '../../gpu/context.ts';
import { attentionGqaForward } from '../../gpu/kernels/attention-gqa.ts';
import { residualForward } from '../../gpu/kernels/residual.ts';
import { rmsnormForward } from '../../gpu/kernels/rmsnorm.ts';
import { rope } from '../../gpu/kernels/rope.ts';
import { swigluForward } from '../../gpu/kernels/swiglu.ts';
import type { LinearHook } from '../language-model.ts';
import { embedTokens } from '../quant/embedding.ts';
import { recordLinear, type LinearNet } from '../shared/linear-ops.ts';
import type { BatchShape } from '../shared/pass.ts';
import type { LlamaActivations } from './activations.ts';
import { EMBED, FINAL_NORM, layerPrefix, type LlamaDims } from './dims.ts';
import type { LlamaParameters } from './parameters.ts';

export { linearCall } from '../shared/linear-ops.ts';
export type { BatchShape };

/** What forward and backward need of the model. */
export interface LlamaNet extends LinearNet {
  readonly params: LlamaParameters;
  /** The (P, head_dim/2, 2) RoPE table, grown to cover positions 0..positions−1. */
  ropeTable(positions: number): GPUBuffer;
}

/** Per-block key/value rows of one sequence, (S, KV) each, rows 0..pos0−1 already filled. */
export interface KvCacheView {
  k: readonly GPUBuffer[];
  v: readonly GPUBuffer[];
  /** Capacity in positions. */
  S: number;
  /** Positions already cached: the new tokens start here. */
  pos0: number;
}

/** Runs the blocks and the final norm over all B·T rows (ids must already be in `a.ids`). */
export function forwardTrunk(
  ctx: GpuContext,
  net: LlamaNet,
  a: LlamaActivations,
  d: LlamaDims,
  { B, T }: BatchShape,
  hook?: LinearHook,
  cache?: KvCacheView,
): void {
  const p = net.params;
  const N = B * T;
  const C = d.nEmbd;
  const HD = d.headDim;
  const KV = d.nKvHead * HD;
  const eps = d.eps;
  if (cache && B !== 1) throw new RangeError('The KV cache holds one sequence: decode with B = 1.');
  const pos0 = cache?.pos0 ?? 0;
  const table = net.ropeTable(pos0 + T);
  embedTokens(ctx, p.tensor(EMBED), a.ids, a.embedded, N); // may be packed (quantized models)
  let x = a.embedded;
  for (let l = 0; l < d.nLayer; l++) {
    const L = a.layers[l];
    const h = layerPrefix(l);
    rmsnormForward(ctx, {
      inp: x,
      weight: p.get(`${h}.input_layernorm.weight`),
      out: L.xn1,
      rstd: L.rstd1,
      N,
      C,
      eps,
    });
    recordLinear(ctx, net, l, 'attn.q', L.xn1, L.qRaw, N, hook);
    recordLinear(ctx, net, l, 'attn.k', L.xn1, L.kRaw, N, hook);
    recordLinear(ctx, net, l, 'attn.v', L.xn1, L.v, N, hook);
    let qIn = L.qRaw;
    let kIn = L.kRaw;
    if (d.qkNorm) {
      // Qwen3: RMSNorm over each head's head_dim channels, one weight shared by the heads.
      const norm = (inp: GPUBuffer, w: string, out: GPUBuffer, rstd: GPUBuffer, heads: number) =>
        rmsnormForward(ctx, {
          inp,
          weight: p.get(`${h}.self_attn.${w}.weight`),
          out,
          rstd,
          N: N * heads,
          C: HD,
          eps,
        });
      norm(L.qRaw, 'q_norm', L.qNormed, L.qRstd, d.nHead);
      norm(L.kRaw, 'k_norm', L.kNormed, L.kRstd, d.nKvHead);
      qIn = L.qNormed;
      kIn = L.kNormed;
    }
    rope(ctx, { inp: qIn, table, out: L.q, N, T, pos0, H: d.nHead, HD });
    rope(ctx, { inp: kIn, table, out: L.k, N, T, pos0, H: d.nKvHead, HD });
    const shape = { B, Tq: T, NH: d.nHead, NKV: d.nKvHead, HD };
    if (cache) {
      ctx.copy(L.k, 0, cache.k[l], pos0 * KV * 4, T * KV * 4);
      ctx.copy(L.v, 0, cache.v[l], pos0 * KV * 4, T * KV * 4);
      attentionGqaForward(ctx, {
        ...shape,
        q: L.q,
        k: cache.k[l],
        v: cache.v[l],
        S: cache.S,
        pos0,
        out: L.atty,
        att: L.att,
      });
    } else {
      attentionGqaForward(ctx, { ...shape, q: L.q, k: L.k, v: L.v, out: L.atty, att: L.att });
    }
    recordLinear(ctx, net, l, 'attn.out', L.atty, a.scratchC, N, hook);
    residualForward(ctx, { a: x, b: a.scratchC, out: L.res2, n: N * C });
    rmsnormForward(ctx, {
      inp: L.res2,
      weight: p.get(`${h}.post_attention_layernorm.weight`),
      out: L.xn2,
      rstd: L.rstd2,
      N,
      C,
      eps,
    });
    recordLinear(ctx, net, l, 'mlp.gate', L.xn2, L.gate, N, hook);
    recordLinear(ctx, net, l, 'mlp.up', L.xn2, L.up, N, hook);
    swigluForward(ctx, { gate: L.gate, up: L.up, out: L.act, n: N * d.nInner });
    recordLinear(ctx, net, l, 'mlp.down', L.act, a.scratchC, N, hook);
    residualForward(ctx, { a: L.res2, b: a.scratchC, out: L.out, n: N * C });
    x = L.out;
  }
  rmsnormForward(ctx, { inp: x, weight: p.get(FINAL_NORM), out: a.normed, rstd: a.rstdF, N, C, eps });
}
