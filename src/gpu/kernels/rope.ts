import code from '../../../shaders/rope.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { gridStrideGroups } from './grid.ts';

export const ROPE = { name: 'rope', code };
const WORKGROUP = 256; // shaders/rope.wgsl

/**
 * The (P, HD/2, 2) table of (cos, sin) of pos·θ^(−2i/HD) for positions 0..P−1, rounded like HF's float32
 * computation (inv_freq and the product pos·inv_freq in f32), then cos/sin of that f32 angle in f64.
 */
export function ropeTable(P: number, HD: number, theta: number): Float32Array {
  const half = HD / 2;
  const inv = Float32Array.from({ length: half }, (_, i) => 1 / Math.pow(theta, Math.fround((2 * i) / HD)));
  const t = new Float32Array(P * half * 2);
  for (let pos = 0; pos < P; pos++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(pos * inv[i]);
      t[(pos * half + i) * 2] = Math.cos(angle);
      t[(pos * half + i) * 2 + 1] = Math.sin(angle);
    }
  }
  return t;
}

export interface RopeArgs {
  inp: GPUBuffer; // (N, H·HD)
  /** (P, HD/2, 2) from ropeTable, P > pos0 + T − 1. */
  table: GPUBuffer;
  /** (N, H·HD), overwritten; not the same buffer as inp. */
  out: GPUBuffer;
  N: number;
  /** Sequence length of the batch: row n is at position pos0 + n % T. */
  T: number;
  pos0?: number;
  H: number;
  HD: number;
  /** Apply the inverse rotation (the backward: dinp from dout). */
  inverse?: boolean;
}

/** Rotary embedding of every head of every row (HF's rotate-half layout); `inverse` is its backward. */
export function rope(ctx: GpuContext, x: RopeArgs): void {
  if (x.HD % 2 !== 0) throw new RangeError(`rope: head_dim ${x.HD} must be even.`);
  ctx.dispatch({
    kernel: ROPE,
    entry: 'rope',
    params: [x.N, x.T, x.pos0 ?? 0, x.H, x.HD],
    floats: [x.inverse ? -1 : 1],
    buffers: [x.inp, x.table, x.out],
    workgroups: [gridStrideGroups((x.N * x.H * x.HD) / 2, WORKGROUP)],
  });
}
