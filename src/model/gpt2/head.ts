// The language-model head on selected rows: gather the final LayerNorm rows that need logits, project onto the
// tied embedding (logits = x · wteᵀ), softmax + masked cross-entropy. Computing logits only where they are used
// keeps a V=50257 head affordable (prediction needs one row per prompt; an edit loss only the target rows).

import type { GpuContext } from '../../gpu/context.ts';
import type { Gpt2Dims } from './dims.ts';

export class HeadBuffers {
  readonly rowIdx: GPUBuffer; // (R) u32 rows of the (N, C) stream
  readonly targets: GPUBuffer; // (R) u32
  readonly weights: GPUBuffer; // (R) f32 loss weight per row (0 = no loss)
  readonly x: GPUBuffer; // (R, C) gathered ln_f rows
  readonly logits: GPUBuffer; // (R, V); reused for dlogits in the backward
  readonly probs: GPUBuffer; // (R, V)
  readonly losses: GPUBuffer; // (R)
  readonly dx: GPUBuffer; // (R, C)

  constructor(
    ctx: GpuContext,
    dims: Gpt2Dims,
    readonly rows: number,
  ) {
    const C = dims.nEmbd;
    const V = dims.vocabSize;
    const f = (label: string, n: number) => ctx.buffer(`head.${label}`, n * 4);
    this.rowIdx = f('rowIdx', rows);
    this.targets = f('targets', rows);
    this.weights = f('weights', rows);
    this.x = f('x', rows * C);
    this.logits = f('logits', rows * V);
    this.probs = f('probs', rows * V);
    this.losses = f('losses', rows);
    this.dx = f('dx', rows * C);
  }

  destroy(): void {
    for (const b of [
      this.rowIdx,
      this.targets,
      this.weights,
      this.x,
      this.logits,
      this.probs,
      this.losses,
      this.dx,
    ])
      b.destroy();
  }
}
