import code from '../../../shaders/residual.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const RESIDUAL = { name: 'residual', code };
const WORKGROUP = 256; // shaders/residual.wgsl

export interface ResidualForwardArgs {
  a: GPUBuffer; // (n)
  b: GPUBuffer; // (n)
  /** (n), overwritten; must not alias a or b. */
  out: GPUBuffer;
  n: number;
}

/** out = a + b (the residual connection). Its backward is the identity: route dout to both branches. */
export function residualForward(ctx: GpuContext, x: ResidualForwardArgs): void {
  ctx.dispatch({
    kernel: RESIDUAL,
    entry: 'residual_forward',
    params: [x.n],
    buffers: [x.a, x.b, x.out],
    workgroups: [gridStrideGroups(x.n, WORKGROUP)],
  });
}

export interface AxpyArgs {
  x: GPUBuffer; // (n)
  /** (n), accumulated into. */
  y: GPUBuffer;
  n: number;
  alpha: number;
}

/** y += alpha·x (BLAS saxpy). */
export function axpy(ctx: GpuContext, x: AxpyArgs): void {
  ctx.dispatch({
    kernel: RESIDUAL,
    entry: 'axpy',
    params: [x.n],
    floats: [x.alpha],
    buffers: [x.x, x.y],
    workgroups: [gridStrideGroups(x.n, WORKGROUP)],
  });
}

export interface ScaleArgs {
  /** (n), scaled in place. */
  x: GPUBuffer;
  n: number;
  alpha: number;
}

/** x *= alpha (BLAS sscal). */
export function scale(ctx: GpuContext, x: ScaleArgs): void {
  ctx.dispatch({
    kernel: RESIDUAL,
    entry: 'scale',
    params: [x.n],
    floats: [x.alpha],
    buffers: [x.x],
    workgroups: [gridStrideGroups(x.n, WORKGROUP)],
  });
}
