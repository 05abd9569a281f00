// The token embedding and the (tied) LM head on a parameter that may be packed (src/model/quant/tensors.ts):
// the lookup gathers dequantised rows (shaders/gather_q.wgsl), the head's logits x·Wᵀ and its input gradient
// dlogits·W go through the dequantising matmul (shaders/matmul_q.wgsl), as for any out_in linear with
// nIn = C, nOut = V. f32 parameters take the f32 kernels, so model code calls these whatever the format.
// No weight gradient here: a packed embedding is frozen like the packed linears.

import type { GpuContext } from '../../gpu/context.ts';
import { embeddingForward } from '../../gpu/kernels/embedding.ts';
import { gatherRows } from '../../gpu/kernels/gather.ts';
import { gatherPackedRows } from '../../gpu/kernels/gather-quant.ts';
import { matmul } from '../../gpu/kernels/matmul.ts';
import { quantMatmul } from '../../gpu/kernels/matmul-quant.ts';
import type { GpuTensor } from './tensors.ts';

/** out (R, C) = W[idx] (+ pos[r % T] when `pos` is given: GPT-2's wpe, rows r = b·T + t). */
export function embedTokens(
  ctx: GpuContext,
  w: GpuTensor,
  idx: GPUBuffer,
  out: GPUBuffer,
  R: number,
  pos?: { buffer: GPUBuffer; T: number },
): void {
  const [V, C] = w.shape;
  if (w.format === 'f32') {
    if (pos) embeddingForward(ctx, { ids: idx, wte: w.data, wpe: pos.buffer, out, N: R, T: pos.T, C });
    else gatherRows(ctx, { inp: w.data, idx, out, R, C });
    return;
  }
  gatherPackedRows(ctx, {
    w: w.data,
    scales: w.scales,
    format: w.format,
    idx,
    pos: pos?.buffer,
    T: pos?.T,
    out,
    R,
    C,
    V,
  });
}

/** logits (R, V) = x (R, C)·Wᵀ, W the (V, C) head (or tied embedding). */
export function headLogits(ctx: GpuContext, w: GpuTensor, x: GPUBuffer, logits: GPUBuffer, R: number): void {
  const [V, C] = w.shape;
  if (w.format === 'f32') matmul(ctx, { a: x, b: w.data, out: logits, M: R, N: V, K: C, transB: true });
  else
    quantMatmul(ctx, {
      a: x,
      w: w.data,
      scales: w.scales,
      format: w.format,
      out: logits,
      M: R,
      N: V,
      K: C,
      transB: true,
    });
}

/** dx (R, C) = dlogits (R, V)·W (overwrites dx). */
export function headInputGrad(
  ctx: GpuContext,
  w: GpuTensor,
  dlogits: GPUBuffer,
  dx: GPUBuffer,
  R: number,
): void {
  const [V, C] = w.shape;
  if (w.format === 'f32') matmul(ctx, { a: dlogits, b: w.data, out: dx, M: R, N: C, K: V });
  else
    quantMatmul(ctx, {
      a: dlogits,
      w: w.data,
      scales: w.scales,
      format: w.format,
      out: dx,
      M: R,
      N: C,
      K: V,
      transB: false,
    });
}
