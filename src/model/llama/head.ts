// The LM head's buffers on selected rows (as in GPT-2's head): gather the final-norm rows that need logits,
// project onto lm_head (or the tied embedding), softmax + masked cross-entropy.

import type { GpuContext } from '../../gpu/context.ts';
import type { LlamaDims } from './dims.ts';

export class LlamaHeadBuffers {
  readonly rowIdx: GPUBuffer; // (R) u32 rows of the (N, C) stream
  readonly targets: GPUBuffer; // (R) u32
  readonly weights: GPUBuffer; // (R) f32 loss weight per row (0 = no loss)
  readonly x: GPUBuffer; // (R, C) gathered final-norm rows
  readonly logits: GPUBuffer; // (R, V); reused for dlogits in the backward
  readonly probs: GPUBuffer; // (R, V)
  readonly losses: GPUBuffer; // (R)
  readonly dx: GPUBuffer; // (R, C)

  constructor(
    ctx: GpuContext,
    dims: LlamaDims,
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
