// Activation and scratch buffers for up to `rows` token positions (N = B·T), allocated once per capacity and
// reused by every pass that fits. Q = heads·head_dim, KV = kv_heads·head_dim, I = intermediate_size.
// Forward saves per block what the backward reads (llm.c style).

import type { GpuContext } from '../../gpu/context.ts';
import type { LlamaDims } from './dims.ts';

export interface LlamaLayerActs {
  xn1: GPUBuffer; // (N, C)  input_layernorm output = input of q/k/v_proj
  rstd1: GPUBuffer; // (N)
  qRaw: GPUBuffer; // (N, Q)  q_proj output
  kRaw: GPUBuffer; // (N, KV)
  qNormed: GPUBuffer; // (N, Q)  after q_norm (Qwen3; a 4-byte placeholder otherwise)
  kNormed: GPUBuffer; // (N, KV)
  qRstd: GPUBuffer; // (N·NH)
  kRstd: GPUBuffer; // (N·NKV)
  q: GPUBuffer; // (N, Q)   after RoPE
  k: GPUBuffer; // (N, KV)  after RoPE
  v: GPUBuffer; // (N, KV)
  att: GPUBuffer; // (B, NH, T, S) softmax probabilities
  atty: GPUBuffer; // (N, Q)  attention output = input of o_proj
  res2: GPUBuffer; // (N, C)  residual after attention
  xn2: GPUBuffer; // (N, C)  post_attention_layernorm output = input of gate/up_proj
  rstd2: GPUBuffer; // (N)
  gate: GPUBuffer; // (N, I)
  up: GPUBuffer; // (N, I)
  act: GPUBuffer; // (N, I)  silu(gate)·up = input of down_proj
  out: GPUBuffer; // (N, C)  residual after the MLP = input of the next block
}

export class LlamaActivations {
  readonly rows: number;
  readonly attCells: number;
  readonly embedded: GPUBuffer; // (N, C)
  readonly layers: LlamaLayerActs[] = [];
  readonly normed: GPUBuffer; // (N, C) final norm output
  readonly rstdF: GPUBuffer; // (N)
  readonly ids: GPUBuffer; // (N) u32
  readonly scratchC: GPUBuffer; // (N, C) o_proj / down_proj outputs, reused across blocks
  // Backward scratch
  readonly dresidual: GPUBuffer; // (N, C)
  readonly dC: GPUBuffer; // (N, C)
  readonly dC2: GPUBuffer; // (N, C) a second branch's input gradient, added into dC
  readonly dQ: GPUBuffer; // (N, Q)
  readonly dQb: GPUBuffer; // (N, Q)
  readonly dK: GPUBuffer; // (N, KV)
  readonly dKb: GPUBuffer; // (N, KV)
  readonly dV: GPUBuffer; // (N, KV)
  readonly dI: GPUBuffer; // (N, I)
  readonly dGate: GPUBuffer; // (N, I)
  readonly dUp: GPUBuffer; // (N, I)
  readonly datt: GPUBuffer; // (B, NH, T, T)
  readonly ones: GPUBuffer; // (N) all 1: bias gradients as ones(1, N)·dy
  /** (N, C): the position-embedding half of embeddingBackward, which Llama does not have, lands here. */
  readonly discardPos: GPUBuffer;
  private readonly own: GPUBuffer[] = [];

  constructor(ctx: GpuContext, d: LlamaDims, rows: number, attCells: number) {
    this.rows = rows;
    this.attCells = attCells;
    const C = d.nEmbd;
    const Q = d.nHead * d.headDim;
    const KV = d.nKvHead * d.headDim;
    const I = d.nInner;
    const f = (label: string, n: number) => {
      const b = ctx.buffer(`act.${label}`, n * 4);
      this.own.push(b);
      return b;
    };
    const qk = d.qkNorm ? 1 : 0;
    this.embedded = f('embedded', rows * C);
    for (let l = 0; l < d.nLayer; l++) {
      const p = `l${l}.`;
      this.layers.push({
        xn1: f(p + 'xn1', rows * C),
        rstd1: f(p + 'rstd1', rows),
        qRaw: f(p + 'qRaw', rows * Q),
        kRaw: f(p + 'kRaw', rows * KV),
        qNormed: f(p + 'qNormed', qk * rows * Q),
        kNormed: f(p + 'kNormed', qk * rows * KV),
        qRstd: f(p + 'qRstd', qk * rows * d.nHead),
        kRstd: f(p + 'kRstd', qk * rows * d.nKvHead),
        q: f(p + 'q', rows * Q),
        k: f(p + 'k', rows * KV),
        v: f(p + 'v', rows * KV),
        att: f(p + 'att', attCells),
        atty: f(p + 'atty', rows * Q),
        res2: f(p + 'res2', rows * C),
        xn2: f(p + 'xn2', rows * C),
        rstd2: f(p + 'rstd2', rows),
        gate: f(p + 'gate', rows * I),
        up: f(p + 'up', rows * I),
        act: f(p + 'act', rows * I),
        out: f(p + 'out', rows * C),
      });
    }
    this.normed = f('normed', rows * C);
    this.rstdF = f('rstdF', rows);
    this.ids = f('ids', rows);
    this.scratchC = f('scratchC', rows * C);
    this.dresidual = f('dresidual', rows * C);
    this.dC = f('dC', rows * C);
    this.dC2 = f('dC2', rows * C);
    this.dQ = f('dQ', rows * Q);
    this.dQb = f('dQb', rows * Q);
    this.dK = f('dK', rows * KV);
    this.dKb = f('dKb', rows * KV);
    this.dV = f('dV', rows * KV);
    this.dI = f('dI', rows * I);
    this.dGate = f('dGate', rows * I);
    this.dUp = f('dUp', rows * I);
    this.datt = f('datt', attCells);
    this.discardPos = f('discardPos', rows * C);
    this.ones = ctx.upload('act.ones', new Float32Array(rows).fill(1));
    this.own.push(this.ones);
  }

  fits(rows: number, attCells: number): boolean {
    return rows <= this.rows && attCells <= this.attCells;
  }

  destroy(): void {
    for (const b of this.own) b.destroy();
  }
}
