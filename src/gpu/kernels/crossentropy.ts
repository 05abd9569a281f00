import code from '../../../shaders/crossentropy.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { GpuLimitError } from '../errors.ts';

export const CROSSENTROPY = { name: 'crossentropy', code };

const WORKGROUP = 256;
const MAX_GROUPS = 65535; // maxComputeWorkgroupsPerDimension, WebGPU's default limit

export interface SoftmaxCrossEntropyForwardArgs {
  logits: GPUBuffer; // (R, V)
  targets: GPUBuffer; // (R) u32
  weights: GPUBuffer; // (R) f32, 0 = ignore the row
  probs: GPUBuffer; // (R, V) =
  losses: GPUBuffer; // (R)    = weights[r]·(−log probs[r, targets[r]])
  R: number;
  V: number;
}

export interface SoftmaxCrossEntropyBackwardArgs {
  probs: GPUBuffer; // (R, V) from the forward
  targets: GPUBuffer; // (R) u32
  weights: GPUBuffer; // (R) f32
  dlogits: GPUBuffer; // (R, V) = weights[r]·(probs − onehot); may be the logits buffer, not probs
  R: number;
  V: number;
}

export interface SoftmaxRowsArgs {
  logits: GPUBuffer; // (R, V)
  probs: GPUBuffer; // (R, V) =
  R: number;
  V: number;
  /** Divides the logits before the softmax; must be > 0. Default 1. */
  temperature?: number;
}

/** probs = softmax(logits) per row and the weighted negative log-likelihood of each row's target. */
export function softmaxCrossEntropyForward(ctx: GpuContext, x: SoftmaxCrossEntropyForwardArgs): void {
  checkRows('softmaxCrossEntropyForward', x.R);
  ctx.dispatch({
    kernel: CROSSENTROPY,
    entry: 'crossentropy_forward',
    params: [x.R, x.V],
    floats: [1],
    buffers: [x.logits, x.targets, x.weights, x.probs, x.losses],
    workgroups: [x.R],
  });
}

/** dlogits = weights[r]·(probs − onehot(targets[r])): the gradient of Σ_r losses[r] with respect to the logits. */
export function softmaxCrossEntropyBackward(ctx: GpuContext, x: SoftmaxCrossEntropyBackwardArgs): void {
  checkRows('softmaxCrossEntropyBackward', x.R);
  ctx.dispatch({
    kernel: CROSSENTROPY,
    entry: 'crossentropy_backward',
    params: [x.R, x.V],
    floats: [1],
    buffers: [x.probs, x.targets, x.weights, x.dlogits],
    workgroups: [Math.ceil(x.V / WORKGROUP), x.R],
  });
}

/** probs = softmax(logits / temperature) per row (next-token distributions, sampling). */
export function softmaxRows(ctx: GpuContext, x: SoftmaxRowsArgs): void {
  checkRows('softmaxRows', x.R);
  const temperature = x.temperature ?? 1;
  if (!(temperature > 0 && Number.isFinite(temperature))) {
    throw new RangeError(`softmaxRows: temperature must be a positive number, got ${temperature}.`);
  }
  ctx.dispatch({
    kernel: CROSSENTROPY,
    entry: 'softmax_rows',
    params: [x.R, x.V],
    floats: [1 / temperature],
    buffers: [x.logits, x.probs],
    workgroups: [x.R],
  });
}

function checkRows(what: string, R: number): void {
  if (R > MAX_GROUPS) {
    throw new GpuLimitError(
      `${what}: ${R} rows is more than one dispatch allows (${MAX_GROUPS}); split the batch.`,
    );
  }
}
