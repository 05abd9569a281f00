import code from '../../../shaders/hyper_factors.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const HYPER_FACTORS = { name: 'hyper_factors', code };
const WG = 64; // shaders/hyper_factors.wgsl

/** A per-row scaled view of columns [off, off + W) of a (rows, ld) matrix: sign·alpha[aIdx]·rowScale[i]. */
export interface ScaledColumns {
  rows: number;
  W: number;
  ld: number;
  off: number;
  /** (≥ aIdx + 1): a learned step size per edited layer, or a buffer holding 1. */
  alpha: GPUBuffer;
  aIdx: number;
  /** (rows): IBKE's c_t, or ones. */
  rowScale: GPUBuffer;
  sign: number;
}

function params(x: ScaledColumns) {
  return { params: [x.rows, x.W, x.ld, x.off, x.aIdx], floats: [x.sign] };
}

/** out (rows, W) = sign·alpha·rowScale[i]·src[i, off:off+W]: splitting g into factors and scaling them. */
export function gatherColumnsScaled(
  ctx: GpuContext,
  x: ScaledColumns & { src: GPUBuffer; out: GPUBuffer },
): void {
  ctx.dispatch({
    kernel: HYPER_FACTORS,
    entry: 'gather_columns_scaled',
    ...params(x),
    buffers: [x.src, x.alpha, x.rowScale, x.out],
    workgroups: [gridStrideGroups(x.rows * x.W, WG)],
  });
}

/** dst[i, off:off+W] = sign·alpha·rowScale[i]·x[i] (overwrites those columns): gatherColumnsScaled's backward. */
export function scatterColumnsScaled(
  ctx: GpuContext,
  x: ScaledColumns & { x: GPUBuffer; dst: GPUBuffer },
): void {
  ctx.dispatch({
    kernel: HYPER_FACTORS,
    entry: 'scatter_columns_scaled',
    ...params(x),
    buffers: [x.x, x.alpha, x.rowScale, x.dst],
    workgroups: [gridStrideGroups(x.rows * x.W, WG)],
  });
}

/**
 * The scale's gradients for out = sign·alpha·r_i·src_i: with g_i = ⟨dout_i, src_i⟩, perAlpha[i] = sign·r_i·g_i
 * (sum it with sumInto for ∂L/∂alpha) and dRowScale[i] = sign·alpha·g_i; both (rows), overwritten.
 */
export function scaleGrads(
  ctx: GpuContext,
  x: ScaledColumns & { dout: GPUBuffer; src: GPUBuffer; perAlpha: GPUBuffer; dRowScale: GPUBuffer },
): void {
  ctx.dispatch({
    kernel: HYPER_FACTORS,
    entry: 'scale_grads',
    ...params(x),
    buffers: [x.dout, x.alpha, x.rowScale, x.src, x.perAlpha, x.dRowScale],
    workgroups: [gridStrideGroups(x.rows, WG)],
  });
}

/** out[index] += Σ_{i<n} x[i] (one invocation: for a few hundred values). */
export function sumInto(
  ctx: GpuContext,
  x: { x: GPUBuffer; out: GPUBuffer; n: number; index: number },
): void {
  ctx.dispatch({
    kernel: HYPER_FACTORS,
    entry: 'sum_into',
    params: [x.n, 0, 0, 0, x.index],
    floats: [0],
    buffers: [x.x, x.out],
    workgroups: [1],
  });
}

/** out (W) += Σ_e x[e] over `blocks` consecutive (W) blocks. */
export function sumBlocks(
  ctx: GpuContext,
  x: { x: GPUBuffer; out: GPUBuffer; blocks: number; W: number },
): void {
  ctx.dispatch({
    kernel: HYPER_FACTORS,
    entry: 'sum_blocks',
    params: [x.blocks, x.W, 0, 0, 0],
    floats: [0],
    buffers: [x.x, x.out],
    workgroups: [gridStrideGroups(x.W, WG)],
  });
}

/** y = softplus(x) (torch.nn.functional.softplus, beta 1), n elements. */
export function softplusForward(ctx: GpuContext, x: { x: GPUBuffer; y: GPUBuffer; n: number }): void {
  ctx.dispatch({
    kernel: HYPER_FACTORS,
    entry: 'softplus_forward',
    params: [1, x.n, 0, 0, 0],
    floats: [0],
    buffers: [x.x, x.y],
    workgroups: [gridStrideGroups(x.n, WG)],
  });
}

/** dx = dy·σ(x), overwritten. */
export function softplusBackward(
  ctx: GpuContext,
  x: { x: GPUBuffer; dy: GPUBuffer; dx: GPUBuffer; n: number },
): void {
  ctx.dispatch({
    kernel: HYPER_FACTORS,
    entry: 'softplus_backward',
    params: [1, x.n, 0, 0, 0],
    floats: [0],
    buffers: [x.x, x.dy, x.dx],
    workgroups: [gridStrideGroups(x.n, WG)],
  });
}
