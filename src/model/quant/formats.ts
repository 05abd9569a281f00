// The reduced-precision weight formats' kernels for src/model/linear.ts (its FORMATS table): y = x·W + b and
// dx = δ·Wᵀ through the dequantising matmuls (src/gpu/kernels/matmul-quant.ts), for both storage orders.
// No weightGrad: quantized and f16 weights are frozen; edits live beside them in the side-car (f32).

import { quantMatmul, type PackedFormat } from '../../gpu/kernels/matmul-quant.ts';
import type { FormatKernels } from '../linear.ts';

function kernels(format: PackedFormat): FormatKernels {
  return {
    forward(ctx, w, x, y, rows) {
      // in_out: stored (nIn, nOut) = (K, N).  out_in: stored (nOut, nIn) = (N, K).
      quantMatmul(ctx, {
        a: x,
        w: w.data,
        scales: w.scales,
        format,
        bias: w.bias ?? undefined,
        out: y,
        M: rows,
        N: w.nOut,
        K: w.nIn,
        transB: w.order === 'out_in',
      });
    },
    backwardInput(ctx, w, dy, dx, rows) {
      // dx (rows, nIn) = dy (rows, nOut)·Wᵀ: in_out stored (nIn, nOut) = (N, K); out_in stored (nOut, nIn) = (K, N).
      quantMatmul(ctx, {
        a: dy,
        w: w.data,
        scales: w.scales,
        format,
        out: dx,
        M: rows,
        N: w.nIn,
        K: w.nOut,
        transB: w.order === 'in_out',
      });
    },
  };
}

export const QUANT_FORMAT_KERNELS = {
  f16: kernels('f16'),
  q8_0: kernels('q8_0'),
  q4_0: kernels('q4_0'),
} as const;
