import code from '../../../shaders/adamw.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const ADAMW = { name: 'adamw', code };
const WORKGROUP = 256; // shaders/adamw.wgsl

export interface AdamwStepArgs {
  /** (n), updated in place. */
  param: GPUBuffer;
  grad: GPUBuffer; // (n)
  /** (n) first-moment state, updated in place; zero before step 1. */
  m: GPUBuffer;
  /** (n) second-moment state, updated in place; zero before step 1. */
  v: GPUBuffer;
  n: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count, for the bias corrections. */
  step: number;
  /** Multiplies grad before anything else (1/batch for a mean, or a clipping factor). Default 1. */
  gradScale?: number;
}

/** One torch.optim.AdamW step (decoupled weight decay, bias-corrected moments). */
export function adamwStep(ctx: GpuContext, x: AdamwStepArgs): void {
  if (!Number.isInteger(x.step) || x.step < 1) {
    throw new RangeError(`adamwStep: step must be a whole number >= 1 (1-based), got ${x.step}.`);
  }
  // Step-dependent scalars in f64, as torch computes them on the host.
  const biasCorrection1 = 1 - x.beta1 ** x.step;
  const biasCorrection2 = 1 - x.beta2 ** x.step;
  ctx.dispatch({
    kernel: ADAMW,
    entry: 'adamw_step',
    params: [x.n],
    floats: [
      x.beta1,
      x.beta2,
      x.eps,
      1 - x.lr * x.weightDecay,
      x.lr / biasCorrection1,
      1 / Math.sqrt(biasCorrection2),
      x.gradScale ?? 1,
    ],
    buffers: [x.param, x.grad, x.m, x.v],
    workgroups: [gridStrideGroups(x.n, WORKGROUP)],
  });
}
