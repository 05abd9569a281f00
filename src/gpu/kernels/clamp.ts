import code from '../../../shaders/clamp.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const CLAMP = { name: 'clamp', code };
const WORKGROUP = 256; // shaders/clamp.wgsl

export interface ClampToBallArgs {
  /** (n), clamped in place. */
  param: GPUBuffer;
  /** (n), the ball's centre; must not alias param. */
  centre: GPUBuffer;
  n: number;
  /** L∞ radius, >= 0. */
  radius: number;
}

/** param = clamp(param, centre − radius, centre + radius): projection onto an L∞ ball (FT-L's constraint). */
export function clampToBall(ctx: GpuContext, x: ClampToBallArgs): void {
  if (!(x.radius >= 0 && Number.isFinite(x.radius)))
    throw new RangeError(`clampToBall: radius must be a finite number >= 0, got ${x.radius}.`);
  ctx.dispatch({
    kernel: CLAMP,
    entry: 'clamp_to_ball',
    params: [x.n],
    floats: [x.radius],
    buffers: [x.param, x.centre],
    workgroups: [gridStrideGroups(x.n, WORKGROUP)],
  });
}
