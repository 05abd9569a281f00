// GPT-2 generation with a KV cache: the prompt runs once (prefill), then each step runs only the new token.
// Per block the cache keeps every position's fused c_attn row q | k | v, (S, 3C); attention reads k and v from
// it in place (shaders/attention_gqa.wgsl with GPT-2's strides: one kv head per query head). Same math as
// forward.ts restricted to the new rows, side-car terms and hooks included; no backward (generation only).

import type { GpuContext } from '../../gpu/context.ts';
import { attentionGqaForward } from '../../gpu/kernels/attention-gqa.ts';
import { softmaxRows } from '../../gpu/kernels/crossentropy.ts';
import { gatherRows } from '../../gpu/kernels/gather.ts';
import { geluForward } from '../../gpu/kernels/gelu.ts';
import { layernormForward } from '../../gpu/kernels/layernorm.ts';
import { residualForward } from '../../gpu/kernels/residual.ts';
import { topk } from '../../gpu/kernels/topk.ts';
import { generateCached, type CachedDecoder } from '../decode-loop.ts';
import type { GenerateOptions, LinearHook, LinearRole } from '../language-model.ts';
import { linearForward } from '../linear.ts';
import type { Gpt2Dims } from './dims.ts';
import { linearCall, type Gpt2Net } from './forward.ts';
import { embedTokens, headLogits } from '../quant/embedding.ts';

/** Buffers for T new rows over a cache of S positions; grown (never per step) when a call needs more. */
class DecodeBuffers {
  readonly cache: GPUBuffer[] = []; // per block (S, 3C)
  readonly ids: GPUBuffer; // (T) u32
  readonly pos: GPUBuffer; // (T) u32 positions pos0..
  readonly x: GPUBuffer; // (T, C) residual stream
  readonly y: GPUBuffer; // (T, C) second residual buffer
  readonly tmp: GPUBuffer; // (T, C)
  readonly ln: GPUBuffer; // (T, C)
  readonly mean: GPUBuffer; // (T)
  readonly rstd: GPUBuffer; // (T)
  readonly qkv: GPUBuffer; // (T, 3C)
  readonly atty: GPUBuffer; // (T, C)
  readonly att: GPUBuffer; // (NH, T, S)
  readonly fch: GPUBuffer; // (T, 4C)
  readonly fchGelu: GPUBuffer; // (T, 4C)
  readonly lastRow: GPUBuffer; // (1) u32
  readonly headX: GPUBuffer; // (1, C)
  readonly logits: GPUBuffer; // (1, V)
  readonly probs: GPUBuffer; // (1, V)
  readonly topIdx: GPUBuffer; // (1) u32
  readonly topVal: GPUBuffer; // (1)
  private readonly own: GPUBuffer[] = [];

  constructor(
    ctx: GpuContext,
    d: Gpt2Dims,
    readonly T: number,
    readonly S: number,
  ) {
    const C = d.nEmbd;
    const f = (label: string, n: number) => {
      const b = ctx.buffer(`decode.${label}`, n * 4);
      this.own.push(b);
      return b;
    };
    for (let l = 0; l < d.nLayer; l++) this.cache.push(f(`cache${l}`, S * 3 * C));
    this.ids = f('ids', T);
    this.pos = f('pos', T);
    this.x = f('x', T * C);
    this.y = f('y', T * C);
    this.tmp = f('tmp', T * C);
    this.ln = f('ln', T * C);
    this.mean = f('mean', T);
    this.rstd = f('rstd', T);
    this.qkv = f('qkv', T * 3 * C);
    this.atty = f('atty', T * C);
    this.att = f('att', d.nHead * T * S);
    this.fch = f('fch', T * 4 * C);
    this.fchGelu = f('fchGelu', T * 4 * C);
    this.lastRow = f('lastRow', 1);
    this.headX = f('headX', C);
    this.logits = f('logits', d.vocabSize);
    this.probs = f('probs', d.vocabSize);
    this.topIdx = f('topIdx', 1);
    this.topVal = f('topVal', 1);
  }

  destroy(): void {
    for (const b of this.own) b.destroy();
  }
}

/** Cached decoding of one sequence on a GPT-2; `generate` is Gpt2Model.generate's implementation. */
export class Gpt2Decoder {
  private bufs: DecodeBuffers | null = null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly net: Gpt2Net,
    private readonly dims: Gpt2Dims,
  ) {}

  async generate(ids: number[], maxTokens: number, opts: GenerateOptions = {}): Promise<number[]> {
    const d = this.dims;
    // No room left in the context: nothing to generate (as when the loop's bound is reached).
    if (ids.length >= d.nPositions || maxTokens < 1) return [];
    const S = Math.min(d.nPositions, ids.length + maxTokens);
    const T = Math.max(1, ids.length);
    if (!this.bufs || this.bufs.T < T || this.bufs.S < S) {
      const [T0, S0] = [this.bufs?.T ?? 0, this.bufs?.S ?? 0];
      this.ctx.flush();
      this.bufs?.destroy();
      this.bufs = new DecodeBuffers(
        this.ctx,
        d,
        Math.max(T, T0),
        Math.min(d.nPositions, Math.max(S, 2 * S0)),
      );
    }
    const bufs = this.bufs;
    const decoder: CachedDecoder = {
      greedy: async (tokens, pos0) => {
        this.record(bufs, tokens, pos0, opts.hook);
        topk(this.ctx, {
          values: bufs.probs,
          R: 1,
          V: d.vocabSize,
          k: 1,
          outIndex: bufs.topIdx,
          outValue: bufs.topVal,
        });
        return (await this.ctx.readU32(bufs.topIdx, 0, 4))[0];
      },
      distribution: async (tokens, pos0) => {
        this.record(bufs, tokens, pos0, opts.hook);
        return this.ctx.read(bufs.probs, 0, d.vocabSize * 4);
      },
    };
    return generateCached(decoder, ids, maxTokens, d.nPositions, opts);
  }

  /** Records the forward of `tokens` at positions pos0.., appending their q|k|v rows to the cache. */
  private record(b: DecodeBuffers, tokens: number[], pos0: number, hook?: LinearHook): void {
    const { ctx, net, dims: d } = this;
    const p = net.params;
    const T = tokens.length;
    const C = d.nEmbd;
    const eps = d.eps;
    ctx.write(b.ids, Uint32Array.from(tokens));
    ctx.write(
      b.pos,
      Uint32Array.from(tokens, (_, t) => pos0 + t),
    );
    ctx.write(b.lastRow, Uint32Array.of(T - 1));
    const linear = (block: number, role: LinearRole, x: GPUBuffer, y: GPUBuffer) => {
      linearForward(ctx, linearCall(net, block, role, T), x, y);
      hook?.(ctx, { block, role, x, y, rows: T });
    };
    const norm = (inp: GPUBuffer, name: string) =>
      layernormForward(ctx, {
        inp,
        weight: p.get(`${name}.weight`),
        bias: p.get(`${name}.bias`),
        out: b.ln,
        mean: b.mean,
        rstd: b.rstd,
        N: T,
        C,
        eps,
      });
    // Token + position embedding at positions pos0.. (gathers: the position rows are not 0..T−1 here).
    embedTokens(ctx, p.tensor('wte.weight'), b.ids, b.tmp, T);
    gatherRows(ctx, { inp: p.get('wpe.weight'), idx: b.pos, out: b.ln, R: T, C });
    residualForward(ctx, { a: b.tmp, b: b.ln, out: b.x, n: T * C });
    for (let l = 0; l < d.nLayer; l++) {
      const h = `h.${l}`;
      norm(b.x, `${h}.ln_1`);
      linear(l, 'attn.qkv', b.ln, b.qkv);
      ctx.copy(b.qkv, 0, b.cache[l], pos0 * 3 * C * 4, T * 3 * C * 4);
      attentionGqaForward(ctx, {
        B: 1,
        Tq: T,
        NH: d.nHead,
        NKV: d.nHead,
        HD: C / d.nHead,
        S: b.S,
        pos0,
        q: b.cache[l],
        qStride: 3 * C,
        qOff: pos0 * 3 * C,
        k: b.cache[l],
        v: b.cache[l],
        kvStride: 3 * C,
        kOff: C,
        vOff: 2 * C,
        out: b.atty,
        att: b.att,
      });
      linear(l, 'attn.out', b.atty, b.tmp);
      residualForward(ctx, { a: b.x, b: b.tmp, out: b.y, n: T * C });
      norm(b.y, `${h}.ln_2`);
      linear(l, 'mlp.in', b.ln, b.fch);
      geluForward(ctx, { inp: b.fch, out: b.fchGelu, n: T * 4 * C });
      linear(l, 'mlp.down', b.fchGelu, b.tmp);
      residualForward(ctx, { a: b.y, b: b.tmp, out: b.x, n: T * C });
    }
    norm(b.x, 'ln_f');
    gatherRows(ctx, { inp: b.ln, idx: b.lastRow, out: b.headX, R: 1, C });
    headLogits(ctx, p.tensor('wte.weight'), b.headX, b.logits, 1);
    softmaxRows(ctx, { logits: b.logits, probs: b.probs, R: 1, V: d.vocabSize });
  }

  destroy(): void {
    this.bufs?.destroy();
    this.bufs = null;
  }
}
