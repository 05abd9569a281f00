// GPT-2 backward pass, written by hand in reverse order of forward.ts (llm.c's habit). Parameter gradients
// accumulate (+=); activation gradients overwrite, except LayerNorm inputs, which sit on the residual stream
// and accumulate into `dresidual`. Editors stop early: at `stopLayer`, and optionally right after its MLP.

import type { GpuContext } from '../../gpu/context.ts';
import { attentionBackward } from '../../gpu/kernels/attention.ts';
import { embeddingBackward } from '../../gpu/kernels/embedding.ts';
import { geluBackward } from '../../gpu/kernels/gelu.ts';
import { layernormBackward } from '../../gpu/kernels/layernorm.ts';
import type { BackwardOptions } from '../language-model.ts';
import { backwardHead, type HeadBuffers } from '../shared/head.ts';
import { gradientTarget, linearBackwardFor } from '../shared/linear-ops.ts';
import type { BatchShape } from '../shared/pass.ts';
import type { Gpt2Activations } from './activations.ts';
import type { Gpt2Dims } from './dims.ts';
import type { Gpt2Net } from './forward.ts';

export type { BackwardOptions };

export function backward(
  ctx: GpuContext,
  net: Gpt2Net,
  a: Gpt2Activations,
  head: HeadBuffers,
  d: Gpt2Dims,
  { B, T }: BatchShape,
  R: number,
  opts: BackwardOptions = {},
): void {
  const p = net.params;
  const N = B * T;
  const C = d.nEmbd;
  const grads = gradientTarget(opts);
  const g = opts.grads;
  const stop = opts.stopLayer ?? 0;

  const lnBackward = (prefix: string, dout: GPUBuffer, inp: GPUBuffer, mean: GPUBuffer, rstd: GPUBuffer) =>
    layernormBackward(ctx, {
      dout,
      inp,
      weight: p.get(`${prefix}.weight`),
      mean,
      rstd,
      dinp: a.dresidual,
      dweight: grads.grad(`${prefix}.weight`) ?? a.discardW,
      dbias: grads.grad(`${prefix}.bias`) ?? a.discardB,
      N,
      C,
    });

  const linearBackward = linearBackwardFor(ctx, net, N, a.ones, opts, grads);

  // Head: the tied wte; dC = ∂L/∂(ln_f output).
  backwardHead(ctx, {
    w: p.tensor('wte.weight'),
    head,
    d,
    R,
    N,
    dnormed: a.dC,
    dW: grads.grad('wte.weight'),
    onHeadGradient: opts.onHeadGradient,
  });
  ctx.clear(a.dresidual, 0, N * C * 4);
  const top = a.layers[d.nLayer - 1]?.out ?? a.encoded;
  lnBackward('ln_f', a.dC, top, a.lnfMean, a.lnfRstd);

  for (let l = d.nLayer - 1; l >= stop; l--) {
    const L = a.layers[l];
    const h = `h.${l}`;
    const xin = l === 0 ? a.encoded : a.layers[l - 1].out;
    // MLP: dresidual holds ∂L/∂out = ∂L/∂(mlp.c_proj output).
    linearBackward(l, 'mlp.down', L.fchGelu, a.dresidual, a.d4C);
    geluBackward(ctx, { inp: L.fch, dout: a.d4C, dinp: a.d4Cb, n: N * 4 * C });
    const last = l === stop;
    linearBackward(l, 'mlp.in', L.ln2, a.d4Cb, last && opts.stopAfterMlp ? null : a.dC);
    if (last && opts.stopAfterMlp) return;
    lnBackward(`${h}.ln_2`, a.dC, L.res2, L.ln2Mean, L.ln2Rstd);
    // Attention: dresidual now holds ∂L/∂res2 = ∂L/∂(attn.c_proj output).
    linearBackward(l, 'attn.out', L.atty, a.dresidual, a.dC);
    attentionBackward(ctx, {
      dout: a.dC,
      qkv: L.qkv,
      att: L.att,
      dqkv: a.d3C,
      scratch: a.datt,
      B,
      T,
      C,
      NH: d.nHead,
    });
    linearBackward(l, 'attn.qkv', L.ln1, a.d3C, a.dC);
    lnBackward(`${h}.ln_1`, a.dC, xin, L.ln1Mean, L.ln1Rstd);
  }
  if (stop === 0 && g && (grads.want('wte.weight') || grads.want('wpe.weight'))) {
    // Embeddings always accumulate into real gradient buffers; only a full training backward reaches them.
    embeddingBackward(ctx, {
      ids: a.ids,
      dout: a.dresidual,
      dwte: g.get('wte.weight'),
      dwpe: g.get('wpe.weight'),
      N,
      T,
      C,
    });
  }
}
