import code from '../../../shaders/hyper_latent.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const HYPER_LATENT = { name: 'hyper_latent', code };
const WG = 64; // shaders/hyper_latent.wgsl

export interface MaskedSoftmaxArgs {
  scores: GPUBuffer; // (R, C), already scaled
  segRows: GPUBuffer; // (R) u32
  segCols: GPUBuffer; // (C) u32
  /** (R, C), overwritten. */
  probs: GPUBuffer;
  R: number;
  C: number;
}

/** Row softmax restricted to the columns of the row's segment (one edit's tokens or latents); 0 elsewhere. */
export function maskedSoftmaxForward(ctx: GpuContext, x: MaskedSoftmaxArgs): void {
  ctx.dispatch({
    kernel: HYPER_LATENT,
    entry: 'masked_softmax_forward',
    params: [x.R, x.C, 0, 0],
    floats: [0],
    buffers: [x.scores, x.segRows, x.segCols, x.probs],
    workgroups: [gridStrideGroups(x.R, WG)],
  });
}

export interface SoftmaxBackwardArgs {
  probs: GPUBuffer; // (R, C) from the forward
  dprobs: GPUBuffer; // (R, C)
  /** (R, C), overwritten. */
  dscores: GPUBuffer;
  R: number;
  C: number;
}

/** dS = P ⊙ (dP − rowsum(dP ⊙ P)). */
export function softmaxBackward(ctx: GpuContext, x: SoftmaxBackwardArgs): void {
  ctx.dispatch({
    kernel: HYPER_LATENT,
    entry: 'softmax_backward',
    params: [x.R, x.C, 0, 0],
    floats: [0],
    buffers: [x.probs, x.dprobs, x.dscores],
    workgroups: [gridStrideGroups(x.R, WG)],
  });
}

export interface ReparamForwardArgs {
  mu: GPUBuffer; // (n)
  logVar: GPUBuffer; // (n)
  /** (n), overwritten: the ε drawn (0 without sampling), saved for the backward. */
  eps: GPUBuffer;
  /** (n), overwritten. */
  z: GPUBuffer;
  /** (n), overwritten: per-element KL(N(μ, σ²) ‖ N(0, 1)). */
  kl: GPUBuffer;
  n: number;
  /** false: z = μ (editing, or IBKE without IB). */
  sample: boolean;
  seed: number;
}

export function reparamForward(ctx: GpuContext, x: ReparamForwardArgs): void {
  ctx.dispatch({
    kernel: HYPER_LATENT,
    entry: 'reparam_forward',
    params: [x.n, 1, x.seed >>> 0, x.sample ? 1 : 0],
    floats: [0],
    buffers: [x.mu, x.logVar, x.eps, x.z, x.kl],
    workgroups: [gridStrideGroups(x.n, WG)],
  });
}

export interface ReparamBackwardArgs {
  mu: GPUBuffer; // (n)
  logVar: GPUBuffer; // (n)
  eps: GPUBuffer; // (n) from the forward
  dz: GPUBuffer; // (n)
  /** (n), overwritten: ∂/∂μ of (loss + klWeight·Σ kl). */
  dmu: GPUBuffer;
  /** (n), overwritten. */
  dlogVar: GPUBuffer;
  n: number;
  /** β / (number of edits): KL enters the loss as β·mean over edits of Σ kl. */
  klWeight: number;
}

export function reparamBackward(ctx: GpuContext, x: ReparamBackwardArgs): void {
  ctx.dispatch({
    kernel: HYPER_LATENT,
    entry: 'reparam_backward',
    params: [x.n, 1, 0, 0],
    floats: [x.klWeight],
    buffers: [x.mu, x.logVar, x.eps, x.dz, x.dmu, x.dlogVar],
    workgroups: [gridStrideGroups(x.n, WG)],
  });
}
