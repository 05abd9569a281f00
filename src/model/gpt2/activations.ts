// Activation and scratch buffers for a batch of up to `rows` token positions, allocated once per capacity and
// reused by every forward/backward that fits (no allocation in the hot loop; a larger batch grows them once).
// Shapes: N = B*T rows, C = n_embd, NH heads. Forward saves per layer what the backward reads (llm.c style).

import type { GpuContext } from '../../gpu/context.ts';
import type { Gpt2Dims } from './dims.ts';

export interface LayerActs {
  ln1: GPUBuffer; // (N, C)   LayerNorm 1 output = input of attn.c_attn
  ln1Mean: GPUBuffer; // (N)
  ln1Rstd: GPUBuffer; // (N)
  qkv: GPUBuffer; // (N, 3C)  output of attn.c_attn
  att: GPUBuffer; // (B, NH, T, T) softmax probabilities
  atty: GPUBuffer; // (N, C)  attention output = input of attn.c_proj
  res2: GPUBuffer; // (N, C)  residual after attention
  ln2: GPUBuffer; // (N, C)   = input of mlp.c_fc
  ln2Mean: GPUBuffer;
  ln2Rstd: GPUBuffer;
  fch: GPUBuffer; // (N, 4C)  output of mlp.c_fc, pre-GELU
  fchGelu: GPUBuffer; // (N, 4C) = input of mlp.c_proj
  out: GPUBuffer; // (N, C)   residual after the MLP = input of the next block
}

export class Gpt2Activations {
  readonly rows: number;
  readonly attCells: number;
  readonly encoded: GPUBuffer; // (N, C) token + position embedding
  readonly layers: LayerActs[] = [];
  readonly lnf: GPUBuffer; // (N, C)
  readonly lnfMean: GPUBuffer;
  readonly lnfRstd: GPUBuffer;
  readonly ids: GPUBuffer; // (N) u32
  readonly scratchC: GPUBuffer; // (N, C)  attn.c_proj / mlp.c_proj outputs, reused across layers
  // Backward scratch
  readonly dresidual: GPUBuffer; // (N, C) gradient of the residual stream, updated in place block by block
  readonly dC: GPUBuffer; // (N, C)
  readonly d3C: GPUBuffer; // (N, 3C)
  readonly d4C: GPUBuffer; // (N, 4C)
  readonly d4Cb: GPUBuffer; // (N, 4C)
  readonly datt: GPUBuffer; // (B, NH, T, T)
  readonly ones: GPUBuffer; // (N) all 1: bias gradients as ones(1,N) · dy(N,out)
  readonly discardW: GPUBuffer; // (C) LayerNorm weight/bias gradients nobody asked for land here
  readonly discardB: GPUBuffer; // (C)

  constructor(ctx: GpuContext, dims: Gpt2Dims, rows: number, attCells: number) {
    this.rows = rows;
    this.attCells = attCells;
    const C = dims.nEmbd;
    const f = (label: string, n: number) => ctx.buffer(`act.${label}`, n * 4);
    this.encoded = f('encoded', rows * C);
    for (let l = 0; l < dims.nLayer; l++) {
      const p = `h${l}.`;
      this.layers.push({
        ln1: f(p + 'ln1', rows * C),
        ln1Mean: f(p + 'ln1Mean', rows),
        ln1Rstd: f(p + 'ln1Rstd', rows),
        qkv: f(p + 'qkv', rows * 3 * C),
        att: f(p + 'att', attCells),
        atty: f(p + 'atty', rows * C),
        res2: f(p + 'res2', rows * C),
        ln2: f(p + 'ln2', rows * C),
        ln2Mean: f(p + 'ln2Mean', rows),
        ln2Rstd: f(p + 'ln2Rstd', rows),
        fch: f(p + 'fch', rows * 4 * C),
        fchGelu: f(p + 'fchGelu', rows * 4 * C),
        out: f(p + 'out', rows * C),
      });
    }
    this.lnf = f('lnf', rows * C);
    this.lnfMean = f('lnfMean', rows);
    this.lnfRstd = f('lnfRstd', rows);
    this.ids = f('ids', rows);
    this.scratchC = f('scratchC', rows * C);
    this.dresidual = f('dresidual', rows * C);
    this.dC = f('dC', rows * C);
    this.d3C = f('d3C', rows * 3 * C);
    this.d4C = f('d4C', rows * 4 * C);
    this.d4Cb = f('d4Cb', rows * 4 * C);
    this.datt = f('datt', attCells);
    this.discardW = f('discardW', C);
    this.discardB = f('discardB', C);
    this.ones = ctx.upload('act.ones', new Float32Array(rows).fill(1));
  }

  fits(rows: number, attCells: number): boolean {
    return rows <= this.rows && attCells <= this.attCells;
  }

  /** Every buffer, for destroy(). */
  private all(): GPUBuffer[] {
    const own = Object.values(this).filter(
      (v): v is GPUBuffer => typeof v === 'object' && v !== null && 'mapState' in v,
    );
    return [...own, ...this.layers.flatMap((l) => Object.values(l) as GPUBuffer[])];
  }

  destroy(): void {
    for (const b of this.all()) b.destroy();
  }
}
