// GPU-resident parameters: one labelled buffer per tensor, created once at load (llm.c lays them out in one
// allocation; WebGPU forbids binding one buffer both read-only and writable in a dispatch, so we keep tensors
// apart). Gradients and AdamW moments, when asked for, mirror the same layout.

import type { GpuContext } from '../../gpu/context.ts';
import { parameterShapes, type Gpt2Dims } from './dims.ts';

export interface ParamTensor {
  name: string;
  shape: number[];
  size: number;
  buffer: GPUBuffer;
}

export class Gpt2Parameters {
  readonly tensors = new Map<string, ParamTensor>();

  constructor(
    private readonly ctx: GpuContext,
    readonly dims: Gpt2Dims,
    label: string,
    weights?: Map<string, Float32Array>,
  ) {
    for (const [name, shape] of parameterShapes(dims)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = weights?.get(name);
      if (weights && (!data || data.length !== size)) {
        throw new Error(
          `${label}: tensor ${name} should hold ${size} values (shape ${shape.join('x')}), got ${data?.length ?? 'none'}.`,
        );
      }
      const buffer = data ? ctx.upload(`${label}.${name}`, data) : ctx.buffer(`${label}.${name}`, size * 4);
      this.tensors.set(name, { name, shape, size, buffer });
    }
  }

  get(name: string): GPUBuffer {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`No parameter named ${name}.`);
    return t.buffer;
  }

  /** Zeroes every tensor (gradients before a backward pass). */
  zero(): void {
    for (const t of this.tensors.values()) this.ctx.clear(t.buffer);
  }

  /** Reads every tensor back (saving a checkpoint). */
  async download(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const t of this.tensors.values()) out.set(t.name, await this.ctx.read(t.buffer, 0, t.size * 4));
    return out;
  }

  destroy(): void {
    for (const t of this.tensors.values()) t.buffer.destroy();
  }
}
