// GPT-2 forward pass (Radford et al. 2019; the math of HF's GPT2LMHeadModel), recorded as GPU dispatches.
// B sequences right-padded to T; causal attention means a real token never attends to padding.

import type { GpuContext } from '../../gpu/context.ts';
import { attentionForward } from '../../gpu/kernels/attention.ts';
import { geluForward } from '../../gpu/kernels/gelu.ts';
import { layernormForward } from '../../gpu/kernels/layernorm.ts';
import { residualForward } from '../../gpu/kernels/residual.ts';
import type { LinearHook } from '../language-model.ts';
import { embedTokens } from '../quant/embedding.ts';
import { recordLinear, type LinearNet } from '../shared/linear-ops.ts';
import type { BatchShape } from '../shared/pass.ts';
import type { Gpt2Activations } from './activations.ts';
import type { Gpt2Dims } from './dims.ts';
import type { Gpt2Parameters } from './parameters.ts';

export { linearCall } from '../shared/linear-ops.ts';
export type { BatchShape };

/** What forward and backward need of the model: parameters, linear weights by role, side-car, scratch. */
export interface Gpt2Net extends LinearNet {
  readonly params: Gpt2Parameters;
}

/** Runs the blocks and the final LayerNorm over all B·T rows (ids must already be in `a.ids`). */
export function forwardTrunk(
  ctx: GpuContext,
  net: Gpt2Net,
  a: Gpt2Activations,
  d: Gpt2Dims,
  { B, T }: BatchShape,
  hook?: LinearHook,
): void {
  const p = net.params;
  const N = B * T;
  const C = d.nEmbd;
  const eps = d.eps;
  // wte may be packed (quantized models): embedTokens gathers dequantised rows and adds wpe.
  embedTokens(ctx, p.tensor('wte.weight'), a.ids, a.encoded, N, { buffer: p.get('wpe.weight'), T });
  let x = a.encoded;
  for (let l = 0; l < d.nLayer; l++) {
    const L = a.layers[l];
    const h = `h.${l}`;
    layernormForward(ctx, {
      inp: x,
      weight: p.get(`${h}.ln_1.weight`),
      bias: p.get(`${h}.ln_1.bias`),
      out: L.ln1,
      mean: L.ln1Mean,
      rstd: L.ln1Rstd,
      N,
      C,
      eps,
    });
    recordLinear(ctx, net, l, 'attn.qkv', L.ln1, L.qkv, N, hook);
    attentionForward(ctx, { qkv: L.qkv, out: L.atty, att: L.att, B, T, C, NH: d.nHead });
    recordLinear(ctx, net, l, 'attn.out', L.atty, a.scratchC, N, hook);
    residualForward(ctx, { a: x, b: a.scratchC, out: L.res2, n: N * C });
    layernormForward(ctx, {
      inp: L.res2,
      weight: p.get(`${h}.ln_2.weight`),
      bias: p.get(`${h}.ln_2.bias`),
      out: L.ln2,
      mean: L.ln2Mean,
      rstd: L.ln2Rstd,
      N,
      C,
      eps,
    });
    recordLinear(ctx, net, l, 'mlp.in', L.ln2, L.fch, N, hook);
    geluForward(ctx, { inp: L.fch, out: L.fchGelu, n: N * 4 * C });
    recordLinear(ctx, net, l, 'mlp.down', L.fchGelu, a.scratchC, N, hook);
    residualForward(ctx, { a: L.res2, b: a.scratchC, out: L.out, n: N * C });
    x = L.out;
  }
  layernormForward(ctx, {
    inp: x,
    weight: p.get('ln_f.weight'),
    bias: p.get('ln_f.bias'),
    out: a.lnf,
    mean: a.lnfMean,
    rstd: a.lnfRstd,
    N,
    C,
    eps,
  });
}
