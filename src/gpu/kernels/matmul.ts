import blocked from '../../../shaders/matmul.wgsl?raw';
import tiled from '../../../shaders/matmul_tiled.wgsl?raw';
import type { GpuContext } from '../context.ts';

export const MATMUL_BLOCKED = { name: 'matmul', code: blocked };
export const MATMUL_TILED = { name: 'matmul_tiled', code: tiled };
export type MatmulVariant = 'blocked' | 'tiled';

export interface MatmulArgs {
  a: GPUBuffer;
  b: GPUBuffer;
  out: GPUBuffer;
  bias?: GPUBuffer;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  /** out += result (parameter gradients accumulate, llm.c style). */
  accumulate?: boolean;
  /** Defaults to the adapter's preference; tests run both. */
  variant?: MatmulVariant;
}

/** out(M,N) = op(a)·op(b) (+ bias) (+ out). See shaders/matmul.wgsl for the layouts. */
export function matmul(ctx: GpuContext, x: MatmulArgs): void {
  const variant = x.variant ?? (ctx.prefersTiled ? 'tiled' : 'blocked');
  const tile = variant === 'tiled' ? 64 : 32;
  ctx.dispatch({
    kernel: variant === 'tiled' ? MATMUL_TILED : MATMUL_BLOCKED,
    entry: 'main',
    constants: {
      TRANS_A: x.transA ? 1 : 0,
      TRANS_B: x.transB ? 1 : 0,
      HAS_BIAS: x.bias ? 1 : 0,
      ACCUMULATE: x.accumulate ? 1 : 0,
    },
    params: [x.M, x.N, x.K],
    buffers: [x.a, x.b, x.bias ?? ctx.empty, x.out],
    workgroups: [Math.ceil(x.N / tile), Math.ceil(x.M / tile)],
    flops: 2 * x.M * x.N * x.K,
  });
}
