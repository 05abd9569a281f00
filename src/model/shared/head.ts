// The language-model head on selected rows, the same for every architecture: gather the final-norm rows that
// need logits, project onto the head matrix (GPT-2's tied wte, Llama's lm_head or tied embed_tokens, f32 or
// packed), softmax + masked cross-entropy; and its backward down to the (N, C) gradient of the final norm's
// output. Computing logits only where they are used keeps a V = 50,257 or 151,936 head affordable (prediction
// needs one row per prompt; an edit loss only the target rows).

import type { GpuContext } from '../../gpu/context.ts';
import { softmaxCrossEntropyBackward, softmaxCrossEntropyForward } from '../../gpu/kernels/crossentropy.ts';
import { gatherRows, scatterAddRows } from '../../gpu/kernels/gather.ts';
import { matmul } from '../../gpu/kernels/matmul.ts';
import type { BackwardOptions, HeadRow, ModelDims } from '../language-model.ts';
import { headInputGrad, headLogits } from '../quant/embedding.ts';
import type { GpuTensor } from '../quant/tensors.ts';

export class HeadBuffers {
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
    dims: Pick<ModelDims, 'nEmbd' | 'vocabSize'>,
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

  /** Writes the rows' stream index, target and loss weight (recorded before the pass that reads them). */
  write(ctx: GpuContext, rows: readonly HeadRow[]): void {
    ctx.write(
      this.rowIdx,
      Uint32Array.from(rows, (r) => r.row),
    );
    ctx.write(
      this.targets,
      Uint32Array.from(rows, (r) => r.target),
    );
    ctx.write(
      this.weights,
      Float32Array.from(rows, (r) => r.weight),
    );
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

/** Logits, probabilities and weighted NLL on R rows of `normed` (N, C); `w` is the (V, C) head matrix. */
export function forwardHead(
  ctx: GpuContext,
  w: GpuTensor,
  normed: GPUBuffer,
  head: HeadBuffers,
  d: Pick<ModelDims, 'nEmbd' | 'vocabSize'>,
  R: number,
): void {
  gatherRows(ctx, { inp: normed, idx: head.rowIdx, out: head.x, R, C: d.nEmbd });
  // logits (R, V) = x (R, C)·Wᵀ
  headLogits(ctx, w, head.x, head.logits, R);
  softmaxCrossEntropyForward(ctx, {
    logits: head.logits,
    targets: head.targets,
    weights: head.weights,
    probs: head.probs,
    losses: head.losses,
    R,
    V: d.vocabSize,
  });
}

/**
 * The head's backward: dlogits (R, V) overwrites the logits buffer (after `onHeadGradient` may add to it);
 * dW (V, C) += dlogitsᵀ·x into `dW` when given; dx (R, C) = dlogits·W, scattered into `dnormed` (N, C), which
 * is cleared first (rows without logits get no gradient).
 */
export function backwardHead(
  ctx: GpuContext,
  args: {
    w: GpuTensor;
    head: HeadBuffers;
    d: Pick<ModelDims, 'nEmbd' | 'vocabSize'>;
    R: number;
    N: number;
    dnormed: GPUBuffer;
    dW?: GPUBuffer;
    onHeadGradient?: BackwardOptions['onHeadGradient'];
  },
): void {
  const { w, head, R, N, dnormed, dW } = args;
  const C = args.d.nEmbd;
  const V = args.d.vocabSize;
  softmaxCrossEntropyBackward(ctx, {
    probs: head.probs,
    targets: head.targets,
    weights: head.weights,
    dlogits: head.logits,
    R,
    V,
  });
  args.onHeadGradient?.({ dlogits: head.logits, probs: head.probs, R, V });
  if (dW)
    matmul(ctx, { a: head.logits, b: head.x, out: dW, M: V, N: C, K: R, transA: true, accumulate: true });
  headInputGrad(ctx, w, head.logits, head.dx, R);
  ctx.clear(dnormed, 0, N * C * 4);
  scatterAddRows(ctx, { dout: head.dx, idx: head.rowIdx, dinp: dnormed, R, C });
}
