// GPT-2 backward pass, written by hand in reverse order of forward.ts (llm.c's habit). Parameter gradients
// accumulate (+=); activation gradients overwrite, except LayerNorm inputs, which sit on the residual stream
// and accumulate into `dresidual`. Editors stop early: at `stopLayer`, and optionally right after its MLP.

import type { GpuContext } from '../../gpu/context.ts';
import { attentionBackward } from '../../gpu/kernels/attention.ts';
import { softmaxCrossEntropyBackward } from '../../gpu/kernels/crossentropy.ts';
import { embeddingBackward } from '../../gpu/kernels/embedding.ts';
import { scatterAddRows } from '../../gpu/kernels/gather.ts';
import { geluBackward } from '../../gpu/kernels/gelu.ts';
import { layernormBackward } from '../../gpu/kernels/layernorm.ts';
import { matmul } from '../../gpu/kernels/matmul.ts';
import type { BackwardOptions, LinearRole } from '../language-model.ts';
import { linearBackwardInput, linearWeightGradients } from '../linear.ts';
import type { Gpt2Activations } from './activations.ts';
import type { Gpt2Dims } from './dims.ts';
import { linearCall, type BatchShape, type Gpt2Net } from './forward.ts';
import type { HeadBuffers } from './head.ts';
import { headInputGrad } from '../quant/embedding.ts';

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
  const V = d.vocabSize;
  const g = opts.grads;
  const want = (name: string) => !!g && (opts.wantGrad?.(name) ?? true);
  const stop = opts.stopLayer ?? 0;

  const lnBackward = (prefix: string, dout: GPUBuffer, inp: GPUBuffer, mean: GPUBuffer, rstd: GPUBuffer) =>
    layernormBackward(ctx, {
      dout,
      inp,
      weight: p.get(`${prefix}.weight`),
      mean,
      rstd,
      dinp: a.dresidual,
      dweight: want(`${prefix}.weight`) ? g!.get(`${prefix}.weight`) : a.discardW,
      dbias: want(`${prefix}.bias`) ? g!.get(`${prefix}.bias`) : a.discardB,
      N,
      C,
    });

  const linearBackward = (
    layer: number,
    role: LinearRole,
    x: GPUBuffer,
    dy: GPUBuffer,
    dx: GPUBuffer | null,
  ) => {
    const call = linearCall(net, layer, role, N);
    const { param, biasParam } = net.linear(layer, role);
    opts.onLinear?.(layer, role, x, dy);
    // dW (nIn, nOut) += xᵀ (nIn, N) · dy (N, nOut);  db (nOut) += ones(1, N) · dy
    linearWeightGradients(ctx, call.weight, x, dy, N, {
      dW: want(param) ? g!.get(param) : undefined,
      db: biasParam && want(biasParam) ? g!.get(biasParam) : undefined,
      ones: a.ones,
    });
    // dx (N, nIn) = dy (N, nOut) · Wᵀ (+ the side-car's terms)
    if (dx) linearBackwardInput(ctx, call, dy, dx);
  };

  // Head: dlogits (R, V) overwrites the logits buffer; dwte += dlogitsᵀ · x; dx (R, C) = dlogits · wte.
  softmaxCrossEntropyBackward(ctx, {
    probs: head.probs,
    targets: head.targets,
    weights: head.weights,
    dlogits: head.logits,
    R,
    V,
  });
  opts.onHeadGradient?.({ dlogits: head.logits, probs: head.probs, R, V });
  if (want('wte.weight'))
    matmul(ctx, {
      a: head.logits,
      b: head.x,
      out: g!.get('wte.weight'),
      M: V,
      N: C,
      K: R,
      transA: true,
      accumulate: true,
    });
  headInputGrad(ctx, p.tensor('wte.weight'), head.logits, head.dx, R);
  ctx.clear(a.dC, 0, N * C * 4);
  scatterAddRows(ctx, { dout: head.dx, idx: head.rowIdx, dinp: a.dC, R, C });
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
  if (stop === 0 && g && (want('wte.weight') || want('wpe.weight'))) {
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
