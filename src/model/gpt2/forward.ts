// GPT-2 forward pass (Radford et al. 2019; the math of HF's GPT2LMHeadModel), recorded as GPU dispatches.
// B sequences right-padded to T; causal attention means a real token never attends to padding.

import type { GpuContext } from '../../gpu/context.ts';
import { attentionForward } from '../../gpu/kernels/attention.ts';
import { softmaxCrossEntropyForward } from '../../gpu/kernels/crossentropy.ts';
import { gatherRows } from '../../gpu/kernels/gather.ts';
import { geluForward } from '../../gpu/kernels/gelu.ts';
import { layernormForward } from '../../gpu/kernels/layernorm.ts';
import { residualForward } from '../../gpu/kernels/residual.ts';
import type { LinearHook, LinearRole, LinearSpec, LinearWeight, SideCar } from '../language-model.ts';
import { linearForward, type LinearCall, type LinearScratch } from '../linear.ts';
import type { Gpt2Activations } from './activations.ts';
import type { Gpt2Dims } from './dims.ts';
import type { HeadBuffers } from './head.ts';
import type { Gpt2Parameters } from './parameters.ts';
import { embedTokens, headLogits } from '../quant/embedding.ts';

export interface BatchShape {
  B: number;
  T: number;
}

/** What forward and backward need of the model: parameters, linear weights by role, side-car, scratch. */
export interface Gpt2Net {
  readonly params: Gpt2Parameters;
  readonly sideCar: SideCar;
  readonly scratch: LinearScratch;
  linear(block: number, role: LinearRole): LinearSpec;
  linearWeight(block: number, role: LinearRole): LinearWeight;
}

export function linearCall(net: Gpt2Net, block: number, role: LinearRole, rows: number): LinearCall {
  return {
    weight: net.linearWeight(block, role),
    terms: net.sideCar.terms(block, role),
    rows,
    scratch: net.scratch,
  };
}

function linear(
  ctx: GpuContext,
  net: Gpt2Net,
  block: number,
  role: LinearRole,
  x: GPUBuffer,
  y: GPUBuffer,
  rows: number,
  hook?: LinearHook,
): void {
  linearForward(ctx, linearCall(net, block, role, rows), x, y);
  hook?.(ctx, { block, role, x, y, rows });
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
    linear(ctx, net, l, 'attn.qkv', L.ln1, L.qkv, N, hook);
    attentionForward(ctx, { qkv: L.qkv, out: L.atty, att: L.att, B, T, C, NH: d.nHead });
    linear(ctx, net, l, 'attn.out', L.atty, a.scratchC, N, hook);
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
    linear(ctx, net, l, 'mlp.in', L.ln2, L.fch, N, hook);
    geluForward(ctx, { inp: L.fch, out: L.fchGelu, n: N * 4 * C });
    linear(ctx, net, l, 'mlp.down', L.fchGelu, a.scratchC, N, hook);
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

/** Logits, probabilities and weighted NLL on R selected rows (head.rowIdx/targets/weights already written). */
export function forwardHead(
  ctx: GpuContext,
  p: Gpt2Parameters,
  a: Gpt2Activations,
  head: HeadBuffers,
  d: Gpt2Dims,
  R: number,
): void {
  const C = d.nEmbd;
  const V = d.vocabSize;
  gatherRows(ctx, { inp: a.lnf, idx: head.rowIdx, out: head.x, R, C });
  // logits (R, V) = x (R, C) · wteᵀ: the tied lm_head.
  headLogits(ctx, p.tensor('wte.weight'), head.x, head.logits, R);
  softmaxCrossEntropyForward(ctx, {
    logits: head.logits,
    targets: head.targets,
    weights: head.weights,
    probs: head.probs,
    losses: head.losses,
    R,
    V,
  });
}
