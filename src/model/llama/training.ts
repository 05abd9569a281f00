// Training on the engine's kernels: AdamW on mean next-token NLL, as gpt2/training.ts does for GPT-2.

import { adamwStep } from '../../gpu/kernels/adamw.ts';
import { completionRows, languageModelRows, makeBatch } from '../batch.ts';
import type { AdamWConfig, ModelTrainer } from '../language-model.ts';
import type { LlamaModel } from './model.ts';
import { LlamaParameters } from './parameters.ts';

/** Owns gradients and AdamW moments for one model; `trainStep` does forward, backward and update. */
export class LlamaTrainer implements ModelTrainer {
  readonly grads: LlamaParameters;
  readonly m: LlamaParameters;
  readonly v: LlamaParameters;
  step = 0;

  constructor(readonly model: LlamaModel) {
    const { ctx, dims } = model;
    this.grads = new LlamaParameters(ctx, dims, 'grad');
    // Fresh buffers are zero-initialised by WebGPU; moments start at zero as in torch.optim.AdamW.
    this.m = new LlamaParameters(ctx, dims, 'adam.m');
    this.v = new LlamaParameters(ctx, dims, 'adam.v');
  }

  async trainStep(sequences: number[][], cfg: AdamWConfig, promptLengths?: number[]): Promise<number> {
    const { model } = this;
    const batch = makeBatch(sequences, model.dims.nPositions);
    const rows = promptLengths ? completionRows(batch, promptLengths) : languageModelRows(batch);
    this.grads.zero();
    const pending = model.run(batch, rows, { backward: { grads: this.grads } });
    this.step++;
    for (const t of model.params.tensors.values()) {
      // No weight decay on norm gains and biases (matrices only), as for GPT-2.
      const decay = t.shape.length >= 2 ? cfg.weightDecay : 0;
      adamwStep(model.ctx, {
        param: t.buffer,
        grad: this.grads.get(t.name),
        m: this.m.get(t.name),
        v: this.v.get(t.name),
        n: t.size,
        lr: cfg.lr,
        beta1: cfg.beta1,
        beta2: cfg.beta2,
        eps: cfg.eps,
        weightDecay: decay,
        step: this.step,
      });
    }
    const { loss } = await pending;
    model.ctx.flush();
    return loss;
  }

  destroy(): void {
    this.grads.destroy();
    this.m.destroy();
    this.v.destroy();
  }
}
