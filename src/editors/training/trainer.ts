// One training step of a hypernetwork editor (MEND / IBKE), all on the GPU (method.md "MEND", "IBKE" item 4):
//   1. gradient tokens (u_t, δ_t) of the batch's edits on the unedited model          GradientCapture
//   2. running normalisation statistics, then the editor's forward (train: IBKE samples z)  Hypernet
//   3. ΔW_m = leftᵀ·right into the edited weights, post-edit loss and its factor gradients  PostEditObjective
//   4. the editor's backward (+ β·∂KL/∂θ for IBKE) and one AdamW step on its parameters (torch.optim.AdamW;
//      no decay where a parameter says so)
// The backbone stays frozen; (u, δ) are constants. Nothing is allocated per step once `reserve` has run.

import { adamwStep } from '../../gpu/kernels/adamw.ts';
import type { LanguageModel } from '../../model/language-model.ts';
import { GradientCapture } from '../hyper/capture.ts';
import type { Hypernet } from '../hyper/types.ts';
import { PostEditObjective, type LossTerms, type LossWeights } from './objective.ts';
import { SideCarSwap } from './pass.ts';
import { mixSeed, type StepSample } from './sampler.ts';

export interface EditorOptimizer {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface EditorLossConfig {
  lambdas: LossWeights;
  /** IBKE: weight of KL(N(μ,σ²)‖N(0,I)) (ITM). Ignored by MEND. */
  beta: number;
}

/** MEND: λ_e·NLL(gen) + λ_loc·KL with MEND's 0.1 and 1.0. IBKE (ours): λ_rel = λ_gen = 0.1, λ_loc = 1. */
export const DEFAULT_LAMBDAS: Record<'mend' | 'ibke', LossWeights> = {
  mend: { rel: 0, gen: 0.1, loc: 1 },
  ibke: { rel: 0.1, gen: 0.1, loc: 1 },
};

/** lr 1e-3: what our fact-world runs (128 wide) used; MEND's 1e-6 is for GPT-2-XL-sized editors. */
export const DEFAULT_OPTIMIZER: EditorOptimizer = {
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0.01,
};

export interface StepResult {
  /** Steps done after this one (1-based). */
  step: number;
  terms: LossTerms;
  /** IBKE: KL(N(μ,σ²)‖N(0,I)) summed over latent elements, mean over edits; MEND: 0. */
  klLatent: number;
  /** terms.total + β·klLatent: the loss the step descended. */
  loss: number;
}

export class EditorTrainer {
  /** Optimizer steps done so far. */
  step = 0;
  readonly swap: SideCarSwap;
  readonly capture: GradientCapture;
  readonly objective: PostEditObjective;
  private readonly moments: { m: GPUBuffer; v: GPUBuffer }[];

  constructor(
    readonly model: LanguageModel,
    readonly net: Hypernet,
    readonly optimizer: EditorOptimizer,
    readonly loss: EditorLossConfig,
    readonly seed: number,
  ) {
    const ctx = model.ctx;
    this.swap = new SideCarSwap(model, net.editedLayers);
    this.capture = new GradientCapture(model, net.editedLayers);
    this.objective = new PostEditObjective(model, net.editedLayers, this.swap);
    // Fresh buffers are zero: AdamW moments start at zero, as in torch.
    this.moments = net.params.map((p) => ({
      m: ctx.buffer(`adam.m.${p.name}`, p.size * 4),
      v: ctx.buffer(`adam.v.${p.name}`, p.size * 4),
    }));
  }

  /** Sizes the post-edit passes for batches of up to `edits` edits of up to T tokens per sequence. */
  reserve(edits: number, T: number): void {
    this.objective.reserve(edits, T);
  }

  /**
   * Runs one step's passes on `samples` (the largest batch the run will see) without changing the editor:
   * every buffer of the capture, the hypernet and the objective reaches its final size before step 1.
   */
  async warmUp(samples: StepSample[]): Promise<void> {
    const tokens = await this.capture.capture(samples.map((s) => s.edit));
    const factors = this.net.forward(tokens, { train: true, seed: 0 });
    const recorded = this.objective.record(samples, factors, this.loss.lambdas, true);
    this.net.backward(recorded.dFactors, { beta: this.loss.beta });
    await recorded.read();
    this.net.zeroGrad();
  }

  async trainStep(samples: StepSample[]): Promise<StepResult> {
    const { ctx } = this.model;
    const { net, optimizer: o, loss } = this;
    const tokens = await this.capture.capture(samples.map((s) => s.edit));
    net.updateNormStats(tokens);
    const factors = net.forward(tokens, { train: true, seed: mixSeed(this.seed, this.step, 0x1b) });
    net.zeroGrad();
    const recorded = this.objective.record(samples, factors, loss.lambdas, true);
    net.backward(recorded.dFactors, { beta: loss.beta });
    this.step++;
    net.params.forEach((p, i) => {
      adamwStep(ctx, {
        param: p.buffer,
        grad: p.grad,
        m: this.moments[i].m,
        v: this.moments[i].v,
        n: p.size,
        lr: o.lr,
        beta1: o.beta1,
        beta2: o.beta2,
        eps: o.eps,
        weightDecay: p.decay ? o.weightDecay : 0,
        step: this.step,
      });
    });
    const terms = await recorded.read();
    const klLatent = net.method === 'ibke' ? await net.readKl() : 0;
    return { step: this.step, terms, klLatent, loss: terms.total + loss.beta * klLatent };
  }

  /** AdamW moments as tensors `adam.m.{param}` / `adam.v.{param}` (for a checkpoint). */
  async optimizerState(): Promise<{ name: string; shape: number[]; data: Float32Array }[]> {
    const out: { name: string; shape: number[]; data: Float32Array }[] = [];
    for (const [i, p] of this.net.params.entries()) {
      out.push({
        name: `adam.m.${p.name}`,
        shape: p.shape,
        data: await this.model.ctx.read(this.moments[i].m),
      });
      out.push({
        name: `adam.v.${p.name}`,
        shape: p.shape,
        data: await this.model.ctx.read(this.moments[i].v),
      });
    }
    return out;
  }

  /** Restores the moments and the step count saved by `optimizerState`. */
  loadOptimizerState(tensors: Map<string, Float32Array>, step: number): void {
    this.net.params.forEach((p, i) => {
      for (const which of ['m', 'v'] as const) {
        const data = tensors.get(`adam.${which}.${p.name}`);
        if (!data || data.length !== p.size)
          throw new RangeError(
            `The optimizer state lacks adam.${which}.${p.name} (${p.size} values): the checkpoint belongs to another editor configuration.`,
          );
        this.model.ctx.write(this.moments[i][which], data);
      }
    });
    this.step = step;
  }

  destroy(): void {
    this.capture.destroy();
    this.objective.destroy();
    this.swap.destroy();
    for (const { m, v } of this.moments) [m, v].forEach((b) => b.destroy());
  }
}
