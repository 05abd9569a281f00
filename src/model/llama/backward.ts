// Llama / Qwen3 backward pass, written by hand in reverse order of forward.ts. Parameter gradients accumulate
// (+=); activation gradients overwrite, except the RMSNorm inputs on the residual stream, which accumulate into
// `dresidual`. Where two branches feed one input (q/k/v from n1, gate/up from n2) the second branch's input
// gradient goes to dC2 and is added into dC. Editors stop early: at `stopLayer`, optionally right after its MLP.

import type { GpuContext } from '../../gpu/context.ts';
import { attentionGqaBackward } from '../../gpu/kernels/attention-gqa.ts';
import { embeddingBackward } from '../../gpu/kernels/embedding.ts';
import { axpy } from '../../gpu/kernels/residual.ts';
import { rmsnormBackward } from '../../gpu/kernels/rmsnorm.ts';
import { rope } from '../../gpu/kernels/rope.ts';
import { swigluBackward } from '../../gpu/kernels/swiglu.ts';
import type { BackwardOptions } from '../language-model.ts';
import { backwardHead, type HeadBuffers } from '../shared/head.ts';
import { gradientTarget, linearBackwardFor } from '../shared/linear-ops.ts';
import type { BatchShape } from '../shared/pass.ts';
import type { LlamaActivations } from './activations.ts';
import { EMBED, FINAL_NORM, headParam, layerPrefix, type LlamaDims } from './dims.ts';
import type { LlamaNet } from './forward.ts';

export function backward(
  ctx: GpuContext,
  net: LlamaNet,
  a: LlamaActivations,
  head: HeadBuffers,
  d: LlamaDims,
  { B, T }: BatchShape,
  R: number,
  opts: BackwardOptions = {},
): void {
  const p = net.params;
  const N = B * T;
  const C = d.nEmbd;
  const HD = d.headDim;
  const grads = gradientTarget(opts);
  const stop = opts.stopLayer ?? 0;

  const normBackward = (w: string, dout: GPUBuffer, inp: GPUBuffer, rstd: GPUBuffer) =>
    rmsnormBackward(ctx, {
      dout,
      inp,
      weight: p.get(w),
      rstd,
      dinp: a.dresidual,
      dweight: grads.grad(w),
      N,
      C,
    });

  const linearBackward = linearBackwardFor(ctx, net, N, a.ones, opts, grads);

  // Head: lm_head (V, C) or the tied embedding; dC = ∂L/∂(final norm output).
  const hw = headParam(d);
  backwardHead(ctx, {
    w: p.tensor(hw),
    head,
    d,
    R,
    N,
    dnormed: a.dC,
    dW: grads.grad(hw),
    onHeadGradient: opts.onHeadGradient,
  });
  ctx.clear(a.dresidual, 0, N * C * 4);
  const top = a.layers[d.nLayer - 1]?.out ?? a.embedded;
  normBackward(FINAL_NORM, a.dC, top, a.rstdF);

  const table = net.ropeTable(T);
  for (let l = d.nLayer - 1; l >= stop; l--) {
    const L = a.layers[l];
    const h = layerPrefix(l);
    const xin = l === 0 ? a.embedded : a.layers[l - 1].out;
    const last = l === stop;
    // MLP: dresidual holds ∂L/∂out = ∂L/∂(down_proj output).
    linearBackward(l, 'mlp.down', L.act, a.dresidual, a.dI);
    swigluBackward(ctx, { gate: L.gate, up: L.up, dout: a.dI, dgate: a.dGate, dup: a.dUp, n: N * d.nInner });
    const mlpOnly = last && opts.stopAfterMlp;
    linearBackward(l, 'mlp.gate', L.xn2, a.dGate, mlpOnly ? null : a.dC);
    linearBackward(l, 'mlp.up', L.xn2, a.dUp, mlpOnly ? null : a.dC2);
    if (mlpOnly) return;
    axpy(ctx, { x: a.dC2, y: a.dC, n: N * C, alpha: 1 });
    normBackward(`${h}.post_attention_layernorm.weight`, a.dC, L.res2, L.rstd2);
    // Attention: dresidual now holds ∂L/∂res2 = ∂L/∂(o_proj output).
    linearBackward(l, 'attn.out', L.atty, a.dresidual, a.dQ);
    attentionGqaBackward(ctx, {
      B,
      Tq: T,
      NH: d.nHead,
      NKV: d.nKvHead,
      HD,
      dout: a.dQ,
      q: L.q,
      k: L.k,
      v: L.v,
      att: L.att,
      dq: a.dQb,
      dk: a.dK,
      dv: a.dV,
      scratch: a.datt,
    });
    // RoPE's backward is the inverse rotation: dQb → dQ, dK → dKb.
    rope(ctx, { inp: a.dQb, table, out: a.dQ, N, T, H: d.nHead, HD, inverse: true });
    rope(ctx, { inp: a.dK, table, out: a.dKb, N, T, H: d.nKvHead, HD, inverse: true });
    let dq = a.dQ;
    let dk = a.dKb;
    if (d.qkNorm) {
      const qk = (
        w: string,
        dout: GPUBuffer,
        inp: GPUBuffer,
        rstd: GPUBuffer,
        dinp: GPUBuffer,
        heads: number,
      ) => {
        const name = `${h}.self_attn.${w}.weight`;
        rmsnormBackward(ctx, {
          dout,
          inp,
          weight: p.get(name),
          rstd,
          dinp,
          dweight: grads.grad(name),
          N: N * heads,
          C: HD,
          accumulate: false,
        });
      };
      qk('q_norm', a.dQ, L.qRaw, L.qRstd, a.dQb, d.nHead);
      qk('k_norm', a.dKb, L.kRaw, L.kRstd, a.dK, d.nKvHead);
      dq = a.dQb;
      dk = a.dK;
    }
    linearBackward(l, 'attn.q', L.xn1, dq, a.dC);
    linearBackward(l, 'attn.k', L.xn1, dk, a.dC2);
    axpy(ctx, { x: a.dC2, y: a.dC, n: N * C, alpha: 1 });
    linearBackward(l, 'attn.v', L.xn1, a.dV, a.dC2);
    axpy(ctx, { x: a.dC2, y: a.dC, n: N * C, alpha: 1 });
    normBackward(`${h}.input_layernorm.weight`, a.dC, xin, L.rstd1);
  }
  const dEmbed = stop === 0 ? grads.grad(EMBED) : undefined;
  if (dEmbed) {
    // Token rows only: embeddingBackward's position half (GPT-2's wpe) writes into a discarded buffer.
    ctx.clear(a.discardPos, 0, T * C * 4);
    embeddingBackward(ctx, {
      ids: a.ids,
      dout: a.dresidual,
      dwte: dEmbed,
      dwpe: a.discardPos,
      N,
      T,
      C,
    });
  }
}
