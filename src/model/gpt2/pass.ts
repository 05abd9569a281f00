// A GPT-2 pass (ModelPass): the shared orchestration (../shared/pass.ts) over GPT-2's activations, trunk and
// backward. The model's own run/topNext use one; editor training keeps more.

import type { GpuContext } from '../../gpu/context.ts';
import type { BackwardOptions, LinearHook } from '../language-model.ts';
import { forwardHead, type HeadBuffers } from '../shared/head.ts';
import { TransformerPass, type BatchShape } from '../shared/pass.ts';
import { Gpt2Activations } from './activations.ts';
import { backward } from './backward.ts';
import { gpt2ModelDims, type Gpt2Dims } from './dims.ts';
import { forwardTrunk, type Gpt2Net } from './forward.ts';

export class Gpt2Pass extends TransformerPass<Gpt2Activations> {
  constructor(
    ctx: GpuContext,
    private readonly net: Gpt2Net,
    private readonly dims: Gpt2Dims,
  ) {
    super(ctx, gpt2ModelDims(dims));
  }

  protected createActivations(rows: number, attCells: number): Gpt2Activations {
    return new Gpt2Activations(this.ctx, this.dims, rows, attCells);
  }

  protected recordForward(
    a: Gpt2Activations,
    head: HeadBuffers,
    shape: BatchShape,
    R: number,
    hook?: LinearHook,
  ) {
    forwardTrunk(this.ctx, this.net, a, this.dims, shape, hook);
    // The tied lm_head: logits = ln_f · wteᵀ.
    forwardHead(this.ctx, this.net.params.tensor('wte.weight'), a.lnf, head, this.dims, R);
  }

  protected recordBackward(
    a: Gpt2Activations,
    head: HeadBuffers,
    shape: BatchShape,
    R: number,
    opts: BackwardOptions,
  ) {
    backward(this.ctx, this.net, a, head, this.dims, shape, R, opts);
  }
}
