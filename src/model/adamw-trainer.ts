// Full-model training on the engine's kernels, for any architecture: AdamW on mean next-token NLL (the same
// loop runs in Node and in a browser). Each architecture supplies its parameter layout; the step is shared.

import type { GpuContext } from '../gpu/context.ts';
import { adamwStep } from '../gpu/kernels/adamw.ts';
import { completionRows, languageModelRows, makeBatch, type HeadRow, type TokenBatch } from './batch.ts';
import type { AdamWConfig, ModelTrainer } from './language-model.ts';

/** A parameter set laid out like the model's own (gradients and moments mirror it tensor for tensor). */
export interface ParameterSet {
  readonly tensors: ReadonlyMap<string, { name: string; shape: number[]; size: number; buffer: GPUBuffer }>;
  get(name: string): GPUBuffer;
  zero(): void;
  download(): Promise<Map<string, Float32Array>>;
  destroy(): void;
}

/** What the step needs of a model: its parameters and a forward + backward that accumulates into `grads`. */
export interface TrainableModel<P extends ParameterSet> {
  readonly ctx: GpuContext;
  readonly dims: { nPositions: number };
  readonly params: P;
  run(batch: TokenBatch, rows: HeadRow[], opts: { backward: { grads: P } }): Promise<{ loss: number }>;
}

/** Owns gradients and AdamW moments for one model; `trainStep` does forward, backward and update. */
export class AdamWTrainer<P extends ParameterSet> implements ModelTrainer {
  readonly grads: P;
  readonly m: P;
  readonly v: P;
  step = 0;

  constructor(
    readonly model: TrainableModel<P>,
    parameterSet: (label: string) => P,
  ) {
    this.grads = parameterSet('grad');
    // Fresh buffers are zero-initialised by WebGPU; moments start at zero as in torch.optim.AdamW.
    this.m = parameterSet('adam.m');
    this.v = parameterSet('adam.v');
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
      // No weight decay on biases and norm gains (matrices only: the GPT-2 / nanoGPT convention).
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
