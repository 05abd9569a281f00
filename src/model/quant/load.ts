// Loading a model straight into its storage formats, tensor by tensor: each tensor is read (or generated),
// packed on the CPU when its plan says so, uploaded, and dropped before the next one, so peak CPU memory stays
// near one tensor (plus its packed copy) and the GPU holds only the packed buffers. The plan (which format each
// parameter gets) comes from src/model/factory.ts; a failure part-way destroys what was uploaded, so no partly
// loaded model is left on the device.

import type { GpuContext } from '../../gpu/context.ts';
import { packWeight, unpackWeight, type PackedWeight } from '../../reference/quant.ts';
import { WeightsError } from '../errors.ts';
import {
  destroyTensor,
  storageMatrix,
  tensorBytes,
  uploadTensor,
  type GpuTensor,
  type TensorFormat,
} from './tensors.ts';

/** One parameter: its checkpoint shape and the format it is stored in on the GPU. */
export interface TensorPlanEntry {
  name: string;
  shape: number[];
  format: TensorFormat;
}

/** A tensor as a source yields it: f32 values (any checkpoint) or a matrix already packed (GGUF Q8_0/Q4_0). */
export interface SourceTensor {
  name: string;
  data: Float32Array | PackedWeight;
}

export interface LoadProgress {
  tensor: string;
  done: number;
  total: number;
  /** GPU bytes uploaded so far. */
  gpuBytes: number;
}

/** The GPU bytes of a plan (parameters only). */
export function planBytes(plan: readonly TensorPlanEntry[]): number {
  return plan.reduce((a, t) => a + tensorBytes(t.format, t.shape), 0);
}

/** Packs (or unpacks, or passes through) one source tensor into the planned format. */
export function toPlannedFormat(
  entry: TensorPlanEntry,
  data: Float32Array | PackedWeight,
): Float32Array | PackedWeight {
  const [rows, cols] = storageMatrix(entry.shape);
  if (data instanceof Float32Array)
    return entry.format === 'f32' ? data : packWeight(data, rows, cols, entry.format);
  if (data.format === entry.format) return data;
  const values = unpackWeight(data);
  return entry.format === 'f32' ? values : packWeight(values, rows, cols, entry.format);
}

/**
 * Uploads every tensor of `source` as `plan` says, one at a time. Every planned tensor must come exactly once;
 * a tensor the plan lacks, a non-finite value or a missing tensor is a WeightsError naming `fileName`.
 */
export async function uploadStreamed(
  ctx: GpuContext,
  label: string,
  plan: readonly TensorPlanEntry[],
  source: AsyncIterable<SourceTensor> | Iterable<SourceTensor>,
  fileName: string,
  onProgress?: (p: LoadProgress) => void,
): Promise<Map<string, GpuTensor>> {
  const byName = new Map(plan.map((t) => [t.name, t]));
  const out = new Map<string, GpuTensor>();
  let gpuBytes = 0;
  try {
    for await (const t of source) {
      const entry = byName.get(t.name);
      if (!entry) throw new WeightsError(fileName, `has tensor ${t.name}, which this model does not use.`);
      if (out.has(t.name)) throw new WeightsError(fileName, `has tensor ${t.name} twice.`);
      const [rows, cols] = storageMatrix(entry.shape);
      const n = t.data instanceof Float32Array ? t.data.length : t.data.rows * t.data.cols;
      if (n !== rows * cols)
        throw new WeightsError(
          fileName,
          `has ${n} values for ${t.name}; its shape [${entry.shape.join(', ')}] needs ${rows * cols}.`,
        );
      if (t.data instanceof Float32Array) {
        for (let i = 0; i < t.data.length; i++)
          if (!Number.isFinite(t.data[i]))
            throw new WeightsError(fileName, `tensor ${t.name} holds a non-finite value at ${i}.`);
      }
      const g = uploadTensor(ctx, label, t.name, entry.shape, toPlannedFormat(entry, t.data));
      out.set(t.name, g);
      gpuBytes += g.bytes;
      onProgress?.({ tensor: t.name, done: out.size, total: plan.length, gpuBytes });
      // Let the queue take the upload before the next tensor is produced (the host copy can then be collected).
      if (out.size % 8 === 0) await ctx.sync();
    }
    const missing = plan.find((t) => !out.has(t.name));
    if (missing) throw new WeightsError(fileName, `has no tensor ${missing.name}, which this model needs.`);
    await ctx.sync();
    return out;
  } catch (e) {
    for (const t of out.values()) destroyTensor(t);
    throw e;
  }
}

/** A map of f32 tensors as a source (tests, small checkpoints read whole). */
export function* mapSource(weights: ReadonlyMap<string, Float32Array>): Iterable<SourceTensor> {
  for (const [name, data] of weights) yield { name, data };
}
