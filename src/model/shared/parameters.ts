// GPU-resident parameters of any architecture: one labelled buffer per tensor, created once at load (llm.c lays
// them out in one allocation; WebGPU forbids binding one buffer both read-only and writable in a dispatch, so we
// keep tensors apart). Gradients and AdamW moments, when asked for, mirror the same layout. Each architecture
// only names its tensors and their shapes (gpt2/parameters.ts, llama/parameters.ts).

import type { GpuContext } from '../../gpu/context.ts';
import type { ParameterGradients } from '../language-model.ts';
import { destroyTensor, isGpuTensor, readTensorValues, type GpuTensor } from '../quant/tensors.ts';

export interface ParamTensor {
  name: string;
  shape: number[];
  size: number;
  buffer: GPUBuffer;
}

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export class ParameterTable implements ParameterGradients {
  /** The f32 parameters (gradients, AdamW and checkpoints iterate these). */
  readonly tensors = new Map<string, ParamTensor>();
  /** Parameters held only in a packed format (quantized linears, the embedding): frozen, no f32 buffer. */
  readonly packed = new Map<string, GpuTensor>();

  /**
   * With `weights`, every tensor must be there with the right size (checked before anything is allocated). A
   * Float32Array is uploaded; a GpuTensor (uploaded by a streaming loader, src/model/quant/load.ts) is adopted
   * as it is, packed or f32.
   */
  constructor(
    private readonly ctx: GpuContext,
    private readonly shapes: [string, number[]][],
    label: string,
    weights?: Map<string, Float32Array | GpuTensor>,
  ) {
    if (weights) {
      for (const [name, shape] of shapes) {
        const data = weights.get(name);
        const got = isGpuTensor(data) ? count(data.shape) : data?.length;
        if (!data || got !== count(shape)) {
          throw new Error(
            `${label}: tensor ${name} should hold ${count(shape)} values (shape ${shape.join('x')}), got ${got ?? 'none'}.`,
          );
        }
      }
    }
    for (const [name, shape] of shapes) {
      const size = count(shape);
      const data = weights?.get(name);
      if (isGpuTensor(data) && data.format !== 'f32') {
        this.packed.set(name, data);
        continue;
      }
      const buffer = isGpuTensor(data)
        ? data.data
        : data
          ? ctx.upload(`${label}.${name}`, data)
          : ctx.buffer(`${label}.${name}`, size * 4);
      this.tensors.set(name, { name, shape, size, buffer });
    }
  }

  /** The f32 buffer of a parameter; a packed one has none (read it with `tensor`). */
  get(name: string): GPUBuffer {
    const t = this.tensors.get(name);
    if (!t) {
      const p = this.packed.get(name);
      if (p) throw new Error(`Parameter ${name} is stored as ${p.format}: it has no f32 buffer.`);
      throw new Error(`No parameter named ${name}.`);
    }
    return t.buffer;
  }

  /** A parameter with its storage format (f32 or packed). */
  tensor(name: string): GpuTensor {
    const p = this.packed.get(name);
    if (p) return p;
    const t = this.tensors.get(name);
    if (!t) throw new Error(`No parameter named ${name}.`);
    return { kind: 'gpu-tensor', name, shape: t.shape, format: 'f32', data: t.buffer, bytes: t.size * 4 };
  }

  has(name: string): boolean {
    return this.tensors.has(name) || this.packed.has(name);
  }

  /** Zeroes every tensor (gradients before a backward pass). */
  zero(): void {
    for (const t of this.tensors.values()) this.ctx.clear(t.buffer);
  }

  /** Reads every tensor back in f32 (saving a checkpoint; packed ones dequantised). */
  async download(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name] of this.shapes) out.set(name, await readTensorValues(this.ctx, this.tensor(name)));
    return out;
  }

  destroy(): void {
    for (const t of this.tensors.values()) t.buffer.destroy();
    for (const t of this.packed.values()) destroyTensor(t);
  }
}

/** A table class for one architecture: (ctx, dims, label, weights?) → its tensors, shapes from `shapes(dims)`. */
export interface ParameterTableClass<D, P extends ParameterTable = ParameterTable> {
  new (
    ctx: GpuContext,
    dims: D,
    label: string,
    weights?: Map<string, Float32Array | GpuTensor>,
  ): P & {
    readonly dims: D;
  };
}

/**
 * The parameter table of an architecture whose tensors are `shapes(dims)` (checkpoint names and shapes, in
 * order): `class Gpt2Parameters extends parameterTableOf(parameterShapes) {}`.
 */
export function parameterTableOf<D>(shapes: (dims: D) => [string, number[]][]): ParameterTableClass<D> {
  return class extends ParameterTable {
    constructor(
      ctx: GpuContext,
      readonly dims: D,
      label: string,
      weights?: Map<string, Float32Array | GpuTensor>,
    ) {
      super(ctx, shapes(dims), label, weights);
    }
  };
}
