// Putting a model's linear layers into a reduced-precision format (dtype f16, int8 = q8_0, int4 = q4_0; the
// formats are described in src/reference/quant.ts). Two ways:
//  - packLinearTensor: one f32 tensor (straight from a checkpoint or a GGUF file) packed on the CPU and uploaded,
//    for loaders that stream a checkpoint tensor by tensor (CPU memory: that tensor and its packed copy);
//  - quantizeModelLinears: an already loaded f32 model's linears re-packed in place, one at a time (read back,
//    pack, upload), so every editor, capture and the side-car run unchanged on top of quantized weights.
// Embeddings, norms, biases and the (tied) LM head stay f32: they are a small share of GPT-2/Qwen3's weights
// and the head's logits are where rounding shows most (llama.cpp's Q4_K_M also keeps the output layer wider).

import type { GpuContext } from '../../gpu/context.ts';
import { packWeight, packedBytes, type PackedWeight, type QuantFormat } from '../../reference/quant.ts';
import type { LanguageModel, LinearWeight, StorageOrder } from '../language-model.ts';

/** What the user picks: f32 keeps the checkpoint's precision; int8/int4 are group-wise quantized. */
export type WeightDtype = 'f32' | 'f16' | 'int8' | 'int4';
export const WEIGHT_DTYPES: readonly WeightDtype[] = ['f32', 'f16', 'int8', 'int4'];

export function dtypeFormat(d: WeightDtype): QuantFormat | 'f32' {
  return d === 'int8' ? 'q8_0' : d === 'int4' ? 'q4_0' : d;
}

/**
 * The token embedding's (and an untied head's) format for a dtype. f16 stays f16; int8 and int4 both keep the
 * embedding in q8_0: the head's logits are where rounding shows most (llama.cpp's Q4_K_M also keeps the output
 * layer at higher precision), and q8_0 is already 3.8x smaller than f32 (Qwen3-1.7B: 1,187 MiB -> 315 MiB).
 */
export function embeddingFormat(d: WeightDtype): QuantFormat | 'f32' {
  return d === 'f32' ? 'f32' : d === 'f16' ? 'f16' : 'q8_0';
}

export function parseWeightDtype(text: string): WeightDtype {
  if ((WEIGHT_DTYPES as readonly string[]).includes(text)) return text as WeightDtype;
  throw new RangeError(`Unknown dtype ${JSON.stringify(text)}: use one of ${WEIGHT_DTYPES.join(', ')}.`);
}

/** Storage (rows, cols) of a logical (nIn → nOut) weight. */
export function storageShape(order: StorageOrder, nIn: number, nOut: number): [number, number] {
  return order === 'in_out' ? [nIn, nOut] : [nOut, nIn];
}

/** Uploads a packed weight as the data and scales buffers of a LinearWeight. */
export function uploadPacked(
  ctx: GpuContext,
  label: string,
  p: PackedWeight,
): { data: GPUBuffer; scales?: GPUBuffer } {
  const data = ctx.upload(`${label}.${p.format}`, p.data);
  const scales = p.scales ? ctx.upload(`${label}.scales`, p.scales) : undefined;
  return { data, scales };
}

/** One storage-order f32 tensor, packed and uploaded. */
export function packLinearTensor(
  ctx: GpuContext,
  label: string,
  values: Float32Array,
  order: StorageOrder,
  nIn: number,
  nOut: number,
  format: QuantFormat,
): { data: GPUBuffer; scales?: GPUBuffer; bytes: number } {
  const [rows, cols] = storageShape(order, nIn, nOut);
  const p = packWeight(values, rows, cols, format);
  return { ...uploadPacked(ctx, label, p), bytes: p.data.byteLength + (p.scales?.byteLength ?? 0) };
}

export interface QuantizeReport {
  dtype: WeightDtype;
  linears: number;
  /** Bytes of the linear weights in f32 and in the new format (data + scales). */
  f32Bytes: number;
  packedBytes: number;
  ms: number;
}

/**
 * Re-packs every linear of `model` as `dtype`, one at a time, with progress. The f32 buffers stay allocated (the
 * model still reads them for readParameter/exportWeights, and editor fingerprints stay the f32 model's), so this
 * measures accuracy and speed, not memory: the memory saving comes from loading packed (src/model/factory.ts
 * loadLanguageModel, what the CLI's --dtype does). Idempotent for dtype f32.
 */
export async function quantizeModelLinears(
  model: LanguageModel,
  dtype: WeightDtype,
  onProgress?: (done: number, total: number) => void,
): Promise<QuantizeReport> {
  const start = performance.now();
  const format = dtypeFormat(dtype);
  let f32Bytes = 0;
  let packed = 0;
  const total = model.linears.length;
  for (const [i, s] of model.linears.entries()) {
    const w: LinearWeight = model.linearWeight(s.block, s.role);
    f32Bytes += s.nIn * s.nOut * 4;
    if (format === 'f32' || w.format !== 'f32') {
      packed +=
        format === 'f32' ? s.nIn * s.nOut * 4 : packedBytes(format, ...storageShape(s.order, s.nIn, s.nOut));
      onProgress?.(i + 1, total);
      continue;
    }
    const values = await model.ctx.read(w.data, 0, s.nIn * s.nOut * 4);
    const up = packLinearTensor(model.ctx, `${s.param}`, values, s.order, s.nIn, s.nOut, format);
    // The model's own LinearWeight object: linear.ts dispatches on its format from the next recorded pass on.
    w.format = format;
    w.data = up.data;
    w.scales = up.scales;
    packed += up.bytes;
    onProgress?.(i + 1, total);
  }
  return { dtype, linears: total, f32Bytes, packedBytes: packed, ms: performance.now() - start };
}
