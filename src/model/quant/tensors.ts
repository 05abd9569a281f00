// One model parameter on the GPU in its storage format, as the loaders hand it to the model constructors
// (src/model/gpt2/model.ts, src/model/llama/model.ts): f32 values, or a reduced-precision matrix packed on the
// CPU (src/reference/quant.ts) whose data and scales buffers are the only GPU copy. A packed parameter's storage
// matrix is its checkpoint shape (rows = shape[0]): (nIn, nOut) for GPT-2's Conv1D, (nOut, nIn) for nn.Linear,
// (V, C) for an embedding, so groups of 32 always run along the contiguous dimension.

import type { GpuContext } from '../../gpu/context.ts';
import { packedBytes, unpackWeight, type PackedWeight, type QuantFormat } from '../../reference/quant.ts';

export type TensorFormat = 'f32' | QuantFormat;

export interface GpuTensor {
  readonly kind: 'gpu-tensor';
  name: string;
  shape: number[];
  format: TensorFormat;
  /** f32 values, or the packed words. */
  data: GPUBuffer;
  /** f16 scales of q8_0 / q4_0. */
  scales?: GPUBuffer;
  /** Bytes on the GPU (data + scales). */
  bytes: number;
}

export function isGpuTensor(x: unknown): x is GpuTensor {
  return typeof x === 'object' && x !== null && (x as GpuTensor).kind === 'gpu-tensor';
}

/** (rows, cols) of a parameter's storage matrix: a vector is one row. */
export function storageMatrix(shape: readonly number[]): [number, number] {
  if (shape.length === 1) return [1, shape[0]];
  return [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)];
}

/** GPU bytes of a parameter of `shape` stored as `format`. */
export function tensorBytes(format: TensorFormat, shape: readonly number[]): number {
  return packedBytes(format, ...storageMatrix(shape));
}

/** Uploads f32 values or a packed matrix as one parameter (the host copy can be dropped afterwards). */
export function uploadTensor(
  ctx: GpuContext,
  label: string,
  name: string,
  shape: number[],
  values: Float32Array | PackedWeight,
): GpuTensor {
  const [rows, cols] = storageMatrix(shape);
  if (values instanceof Float32Array) {
    if (values.length !== rows * cols)
      throw new RangeError(
        `${label}: tensor ${name} should hold ${rows * cols} values, got ${values.length}.`,
      );
    return {
      kind: 'gpu-tensor',
      name,
      shape,
      format: 'f32',
      data: ctx.upload(`${label}.${name}`, values),
      bytes: values.byteLength,
    };
  }
  if (values.rows !== rows || values.cols !== cols)
    throw new RangeError(
      `${label}: packed tensor ${name} is ${values.rows}x${values.cols}; its shape ${shape.join('x')} needs ${rows}x${cols}.`,
    );
  const data = ctx.upload(`${label}.${name}.${values.format}`, values.data);
  const scales = values.scales ? ctx.upload(`${label}.${name}.scales`, values.scales) : undefined;
  return {
    kind: 'gpu-tensor',
    name,
    shape,
    format: values.format,
    data,
    scales,
    bytes: data.size + (scales?.size ?? 0),
  };
}

/** The parameter's values in f32 (a packed one dequantised on the CPU: what the GPU kernels compute with). */
export async function readTensorValues(ctx: GpuContext, t: GpuTensor): Promise<Float32Array> {
  const [rows, cols] = storageMatrix(t.shape);
  if (t.format === 'f32') return ctx.read(t.data, 0, rows * cols * 4);
  const data = await ctx.readU32(t.data);
  const scales = t.scales ? await ctx.readU32(t.scales) : undefined;
  return unpackWeight({ format: t.format, rows, cols, data, scales });
}

export function destroyTensor(t: GpuTensor): void {
  t.data.destroy();
  t.scales?.destroy();
}
