import f32Code from '../../../shaders/matmul_q.wgsl?raw';
import f16Code from '../../../shaders/matmul_q_f16.wgsl?raw';
import type { GpuContext } from '../context.ts';

export const MATMUL_Q = { name: 'matmul_q', code: f32Code };
export const MATMUL_Q_F16 = { name: 'matmul_q_f16', code: f16Code };

/** Formats these kernels read (src/reference/quant.ts describes the packing). */
export type PackedFormat = 'f16' | 'q8_0' | 'q4_0';
const FORMAT_ID: Record<PackedFormat, number> = { f16: 0, q8_0: 1, q4_0: 2 };

/** 'f32math' runs everywhere; 'f16math' needs the adapter feature `shader-f16`. */
export type QuantVariant = 'f32math' | 'f16math';
export const QUANT_VARIANTS: readonly QuantVariant[] = ['f32math', 'f16math'];

/** The adapter feature a variant needs, or null. */
export function quantVariantFeature(v: QuantVariant): GPUFeatureName | null {
  return v === 'f16math' ? 'shader-f16' : null;
}

/** Whether the device can run `v` (features were requested at device creation, src/gpu/adapter.ts). */
export function quantVariantSupported(ctx: GpuContext, v: QuantVariant): boolean {
  const f = quantVariantFeature(v);
  return f === null || ctx.device.features.has(f);
}

/**
 * The variant the engine uses on this device, chosen once from the adapter: f16 arithmetic on GPUs that have
 * shader-f16; f32 arithmetic on CPU adapters (SwiftShader has no f16; lavapipe emulates it without gaining speed)
 * and everywhere else.
 */
export function preferredQuantVariant(ctx: GpuContext): QuantVariant {
  return !ctx.adapter.isCpu && quantVariantSupported(ctx, 'f16math') ? 'f16math' : 'f32math';
}

export interface QuantMatmulArgs {
  a: GPUBuffer;
  /** Packed weight words. */
  w: GPUBuffer;
  /** f16 scales (q formats); ignored for f16. */
  scales?: GPUBuffer;
  format: PackedFormat;
  out: GPUBuffer;
  bias?: GPUBuffer;
  M: number;
  N: number;
  K: number;
  /** The weight is stored (N, K); else (K, N). */
  transB: boolean;
  accumulate?: boolean;
  variant?: QuantVariant;
}

/** out (M, N) = a (M, K)·op(W) (+ bias) (+ out), W dequantised in the kernel. See shaders/matmul_q.wgsl. */
export function quantMatmul(ctx: GpuContext, x: QuantMatmulArgs): void {
  const variant = x.variant ?? preferredQuantVariant(ctx);
  if (!quantVariantSupported(ctx, variant)) {
    throw new RangeError(
      `The ${variant} quantized matmul needs the adapter feature ${quantVariantFeature(variant)}.`,
    );
  }
  if (x.format !== 'f16' && !x.scales) throw new RangeError(`A ${x.format} weight needs its scales buffer.`);
  const scales = x.scales ?? ctx.empty;
  const f16 = variant === 'f16math';
  ctx.dispatch({
    kernel: f16 ? MATMUL_Q_F16 : MATMUL_Q,
    entry: 'main',
    constants: {
      FORMAT: FORMAT_ID[x.format],
      TRANS_B: x.transB ? 1 : 0,
      HAS_BIAS: x.bias ? 1 : 0,
      ACCUMULATE: x.accumulate ? 1 : 0,
    },
    params: [x.M, x.N, x.K],
    buffers: f16
      ? [x.a, x.w, x.w, scales, x.bias ?? ctx.empty, x.out]
      : [x.a, x.w, scales, x.bias ?? ctx.empty, x.out],
    workgroups: [Math.ceil(x.N / 32), Math.ceil(x.M / 32)],
    flops: 2 * x.M * x.N * x.K,
  });
}
