// Recording a model's linear layers by (block, role), the same for every architecture: the forward with its
// side-car terms and the caller's hook, and the backward's (u, δ) hook, weight/bias gradients and input
// gradient. The architectures' forward.ts/backward.ts only say which buffers feed which role.

import type { GpuContext } from '../../gpu/context.ts';
import type {
  BackwardOptions,
  LinearHook,
  LinearRole,
  LinearSpec,
  LinearWeight,
  SideCar,
} from '../language-model.ts';
import {
  linearBackwardInput,
  linearForward,
  linearWeightGradients,
  type LinearCall,
  type LinearScratch,
} from '../linear.ts';

/** What recording a linear needs of the model (Gpt2Net and LlamaNet extend it). */
export interface LinearNet {
  readonly sideCar: SideCar;
  readonly scratch: LinearScratch;
  linear(block: number, role: LinearRole): LinearSpec;
  linearWeight(block: number, role: LinearRole): LinearWeight;
}

export function linearCall(net: LinearNet, block: number, role: LinearRole, rows: number): LinearCall {
  return {
    weight: net.linearWeight(block, role),
    terms: net.sideCar.terms(block, role),
    rows,
    scratch: net.scratch,
  };
}

/** y = x·W (+ b) (+ side-car), then the caller's hook on (x, y). */
export function recordLinear(
  ctx: GpuContext,
  net: LinearNet,
  block: number,
  role: LinearRole,
  x: GPUBuffer,
  y: GPUBuffer,
  rows: number,
  hook?: LinearHook,
): void {
  linearForward(ctx, linearCall(net, block, role, rows), x, y);
  hook?.(ctx, { block, role, x, y, rows });
}

/** Which parameters get gradients in a backward, and where they accumulate. */
export interface GradientTarget {
  /** Whether `param` gets a gradient (false for all when the options carry no gradient buffers). */
  want(param: string): boolean;
  /** The gradient buffer of `param` when wanted, else undefined (callers pass it on as "no gradient"). */
  grad(param: string): GPUBuffer | undefined;
}

export function gradientTarget(opts: BackwardOptions): GradientTarget {
  const g = opts.grads;
  const want = (name: string) => !!g && (opts.wantGrad?.(name) ?? true);
  return { want, grad: (name) => (want(name) ? g!.get(name) : undefined) };
}

/**
 * The backward of one linear over N rows: the (u, δ) hook, dW (nIn, nOut) += xᵀ·dy and db += ones(1, N)·dy
 * into wanted gradients, and dx (N, nIn) = dy·Wᵀ (+ the side-car's terms) unless `dx` is null (an editor's
 * backward that stops right there).
 */
export type LinearBackward = (
  block: number,
  role: LinearRole,
  x: GPUBuffer,
  dy: GPUBuffer,
  dx: GPUBuffer | null,
) => void;

export function linearBackwardFor(
  ctx: GpuContext,
  net: LinearNet,
  N: number,
  ones: GPUBuffer,
  opts: BackwardOptions,
  grads: GradientTarget = gradientTarget(opts),
): LinearBackward {
  return (block, role, x, dy, dx) => {
    const call = linearCall(net, block, role, N);
    const { param, biasParam } = net.linear(block, role);
    opts.onLinear?.(block, role, x, dy);
    linearWeightGradients(ctx, call.weight, x, dy, N, {
      dW: grads.grad(param),
      db: biasParam ? grads.grad(biasParam) : undefined,
      ones,
    });
    if (dx) linearBackwardInput(ctx, call, dy, dx);
  };
}
