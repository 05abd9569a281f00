// One pre-LayerNorm cross-attention block of IBKE's encoder and decoder (method.md "IBKE" 2.–3.; the Perceiver /
// Set Transformer pattern), single head, with per-edit masking:
//   a = LN₁(x)                      (R, d)
//   S = (a W_q / √d) (mem W_k)ᵀ     (R, C)     mem (C, dMem): the gradient tokens (encoder) or the latent z
//   P = softmax over the row's edit (masked)   O = P (mem W_v)   (R, d)
//   m = x + O W_o + b_o
//   y = m + W₂ GELU(W₁ LN₂(m) + b₁) + b₂
// The forward saves every intermediate under its name in the workspace; the backward (reverse order, parameter
// gradients +=) turns dy into dx in place and adds ∂L/∂mem into dMem.

import type { GpuContext } from '../../gpu/context.ts';
import { geluBackward, geluForward } from '../../gpu/kernels/gelu.ts';
import { maskedSoftmaxForward, softmaxBackward } from '../../gpu/kernels/hyper-latent.ts';
import { layernormBackward, layernormForward } from '../../gpu/kernels/layernorm.ts';
import { matmul } from '../../gpu/kernels/matmul.ts';
import { scale } from '../../gpu/kernels/residual.ts';
import { linearBackward, linearForward } from './ops.ts';
import type { HypernetParam } from './types.ts';
import type { ParamSet, Workspace } from './workspace.ts';

export const LN_EPS = 1e-5;

export interface Segments {
  rows: GPUBuffer; // (R) u32 edit index of each query row
  cols: GPUBuffer; // (C) u32 edit index of each memory row
}

export class CrossBlock {
  private readonly p: Record<string, HypernetParam> = {};
  private x: GPUBuffer | null = null;
  private mem: GPUBuffer | null = null;
  private R = 0;
  private C = 0;

  constructor(
    private readonly ctx: GpuContext,
    private readonly ws: Workspace,
    params: ParamSet,
    private readonly name: string,
    private readonly d: number,
    private readonly dMem: number,
    private readonly dMlp: number,
  ) {
    const add = (k: string, shape: number[], kind: 'x' | 'zeros' | 'ones', decay = false) => {
      const init =
        kind === 'x'
          ? ({ kind: 'xavier', fanIn: shape[0], fanOut: shape[1] } as const)
          : kind === 'ones'
            ? ({ kind: 'const', value: 1 } as const)
            : ({ kind: 'zeros' } as const);
      this.p[k] = params.add(`${name}.${k}`, shape, init, decay);
    };
    add('ln1.weight', [d], 'ones');
    add('ln1.bias', [d], 'zeros');
    add('q', [d, d], 'x', true);
    add('k', [dMem, d], 'x', true);
    add('v', [dMem, d], 'x', true);
    add('o.weight', [d, d], 'x', true);
    add('o.bias', [d], 'zeros');
    add('ln2.weight', [d], 'ones');
    add('ln2.bias', [d], 'zeros');
    add('fc.weight', [d, dMlp], 'x', true);
    add('fc.bias', [dMlp], 'zeros');
    add('proj.weight', [dMlp, d], 'x', true);
    add('proj.bias', [d], 'zeros');
  }

  private buf(k: string, floats: number): GPUBuffer {
    return this.ws.get(`${this.name}.${k}`, floats);
  }

  /** y (R, d) from x (R, d) attending over mem (C, dMem); x and mem must stay untouched until backward. */
  forward(x: GPUBuffer, y: GPUBuffer, mem: GPUBuffer, seg: Segments, R: number, C: number): void {
    const { ctx, d, p } = this;
    Object.assign(this, { x, mem, R, C });
    const a1 = this.buf('a1', R * d);
    layernormForward(ctx, {
      inp: x,
      weight: p['ln1.weight'].buffer,
      bias: p['ln1.bias'].buffer,
      out: a1,
      mean: this.buf('mean1', R),
      rstd: this.buf('rstd1', R),
      N: R,
      C: d,
      eps: LN_EPS,
    });
    const q = this.buf('q', R * d);
    const k = this.buf('k', C * d);
    const v = this.buf('v', C * d);
    linearForward(ctx, a1, p.q, null, q, { rows: R, nIn: d, nOut: d });
    scale(ctx, { x: q, n: R * d, alpha: 1 / Math.sqrt(d) });
    linearForward(ctx, mem, p.k, null, k, { rows: C, nIn: this.dMem, nOut: d });
    linearForward(ctx, mem, p.v, null, v, { rows: C, nIn: this.dMem, nOut: d });
    const s = this.buf('s', R * C);
    const probs = this.buf('p', R * C);
    matmul(ctx, { a: q, b: k, out: s, M: R, N: C, K: d, transB: true });
    maskedSoftmaxForward(ctx, { scores: s, segRows: seg.rows, segCols: seg.cols, probs, R, C });
    const o = this.buf('o', R * d);
    matmul(ctx, { a: probs, b: v, out: o, M: R, N: d, K: C });
    const m = this.buf('m', R * d);
    ctx.copy(x, 0, m, 0, R * d * 4);
    linearForward(ctx, o, p['o.weight'], p['o.bias'], m, { rows: R, nIn: d, nOut: d }, true);
    const a2 = this.buf('a2', R * d);
    layernormForward(ctx, {
      inp: m,
      weight: p['ln2.weight'].buffer,
      bias: p['ln2.bias'].buffer,
      out: a2,
      mean: this.buf('mean2', R),
      rstd: this.buf('rstd2', R),
      N: R,
      C: d,
      eps: LN_EPS,
    });
    const f = this.buf('f', R * this.dMlp);
    const gf = this.buf('gf', R * this.dMlp);
    linearForward(ctx, a2, p['fc.weight'], p['fc.bias'], f, { rows: R, nIn: d, nOut: this.dMlp });
    geluForward(ctx, { inp: f, out: gf, n: R * this.dMlp });
    ctx.copy(m, 0, y, 0, R * d * 4);
    linearForward(ctx, gf, p['proj.weight'], p['proj.bias'], y, { rows: R, nIn: this.dMlp, nOut: d }, true);
  }

  /** dy (R, d) → ∂L/∂x in place; dMem (C, dMem) += ∂L/∂mem. `ones` holds ≥ max(R, C) ones. */
  backward(dy: GPUBuffer, dMem: GPUBuffer, ones: GPUBuffer): void {
    const { ctx, d, p, R, C } = this;
    const x = this.x!;
    const mem = this.mem!;
    const lnBack = (i: 1 | 2, dout: GPUBuffer, inp: GPUBuffer) =>
      layernormBackward(ctx, {
        dout,
        inp,
        weight: p[`ln${i}.weight`].buffer,
        mean: this.buf(`mean${i}`, 0),
        rstd: this.buf(`rstd${i}`, 0),
        dinp: dy,
        dweight: p[`ln${i}.weight`].grad,
        dbias: p[`ln${i}.bias`].grad,
        N: R,
        C: d,
      });
    // MLP: dy = ∂L/∂y → ∂L/∂m (the residual passes dy through; LN₂'s backward adds into it).
    const dgf = this.buf('dgf', R * this.dMlp);
    const df = this.buf('df', R * this.dMlp);
    const da = this.buf('da', R * d);
    linearBackward(
      ctx,
      this.buf('gf', 0),
      dy,
      p['proj.weight'],
      p['proj.bias'],
      dgf,
      { rows: R, nIn: this.dMlp, nOut: d },
      ones,
    );
    geluBackward(ctx, { inp: this.buf('f', 0), dout: dgf, dinp: df, n: R * this.dMlp });
    linearBackward(
      ctx,
      this.buf('a2', 0),
      df,
      p['fc.weight'],
      p['fc.bias'],
      da,
      { rows: R, nIn: d, nOut: this.dMlp },
      ones,
    );
    lnBack(2, da, this.buf('m', 0));
    // Attention: dy = ∂L/∂m → ∂L/∂x.
    const dO = this.buf('dO', R * d);
    linearBackward(
      ctx,
      this.buf('o', 0),
      dy,
      p['o.weight'],
      p['o.bias'],
      dO,
      { rows: R, nIn: d, nOut: d },
      ones,
    );
    const probs = this.buf('p', 0);
    const dP = this.buf('dP', R * C);
    const dS = this.buf('dS', R * C);
    const dq = this.buf('dq', R * d);
    const dk = this.buf('dk', C * d);
    const dv = this.buf('dv', C * d);
    matmul(ctx, { a: dO, b: this.buf('v', 0), out: dP, M: R, N: C, K: d, transB: true });
    matmul(ctx, { a: probs, b: dO, out: dv, M: C, N: d, K: R, transA: true });
    softmaxBackward(ctx, { probs, dprobs: dP, dscores: dS, R, C });
    matmul(ctx, { a: dS, b: this.buf('k', 0), out: dq, M: R, N: d, K: C });
    matmul(ctx, { a: dS, b: this.buf('q', 0), out: dk, M: C, N: d, K: R, transA: true });
    scale(ctx, { x: dq, n: R * d, alpha: 1 / Math.sqrt(d) });
    linearBackward(ctx, this.buf('a1', 0), dq, p.q, null, da, { rows: R, nIn: d, nOut: d }, ones);
    linearBackward(ctx, mem, dk, p.k, null, dMem, { rows: C, nIn: this.dMem, nOut: d }, ones, true);
    linearBackward(ctx, mem, dv, p.v, null, dMem, { rows: C, nIn: this.dMem, nOut: d }, ones, true);
    lnBack(1, da, x);
  }
}
