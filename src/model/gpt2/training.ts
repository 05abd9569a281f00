// Training on the engine's kernels: AdamW on mean next-token NLL (the same loop runs in Node and in a browser).

import { adamwStep } from '../../gpu/kernels/adamw.ts';
import { completionRows, languageModelRows, makeBatch } from './batch.ts';
import type { Gpt2Model } from './model.ts';
import { Gpt2Parameters } from './parameters.ts';

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01 };

/** Owns gradients and AdamW moments for one model; `step` does forward, backward and update. */
export class Gpt2Trainer {
  readonly grads: Gpt2Parameters;
  readonly m: Gpt2Parameters;
  readonly v: Gpt2Parameters;
  step = 0;

  constructor(readonly model: Gpt2Model) {
    const { ctx, dims } = model;
    this.grads = new Gpt2Parameters(ctx, dims, 'grad');
    this.m = new Gpt2Parameters(ctx, dims, 'adam.m');
    this.v = new Gpt2Parameters(ctx, dims, 'adam.v');
    // Fresh buffers are zero-initialised by WebGPU; moments start at zero as in torch.optim.AdamW.
  }

  /**
   * One optimizer step on a batch of token sequences; returns the mean NLL before the update. With
   * `promptLengths`, only the completion after each prompt is scored (fact completions); otherwise every
   * next token is (plain language modelling).
   */
  async trainStep(sequences: number[][], cfg: AdamWConfig, promptLengths?: number[]): Promise<number> {
    const { model } = this;
    const batch = makeBatch(sequences, model.dims.nPositions);
    const rows = promptLengths ? completionRows(batch, promptLengths) : languageModelRows(batch);
    this.grads.zero();
    const pending = model.run(batch, rows, { backward: { grads: this.grads } });
    this.step++;
    for (const t of model.params.tensors.values()) {
      // No weight decay on biases and LayerNorm gains (the GPT-2 / nanoGPT convention).
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

  async moments(): Promise<{ m: Map<string, Float32Array>; v: Map<string, Float32Array> }> {
    return { m: await this.m.download(), v: await this.v.download() };
  }

  destroy(): void {
    this.grads.destroy();
    this.m.destroy();
    this.v.destroy();
  }
}
