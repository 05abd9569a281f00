// GPU-resident parameters of a Llama-family model: one labelled buffer per tensor (HF names), created once at
// load. Gradients and AdamW moments, when asked for, mirror the same layout (ParameterGradients).

import type { GpuContext } from '../../gpu/context.ts';
import type { ParameterGradients } from '../language-model.ts';
import { parameterShapes, type LlamaDims } from './dims.ts';

export interface ParamTensor {
  name: string;
  shape: number[];
  size: number;
  buffer: GPUBuffer;
}

export class LlamaParameters implements ParameterGradients {
  readonly tensors = new Map<string, ParamTensor>();

  /** With `weights`, every tensor must be there with the right size (checked before anything is allocated). */
  constructor(
    private readonly ctx: GpuContext,
    readonly dims: LlamaDims,
    label: string,
    weights?: Map<string, Float32Array>,
  ) {
    const shapes = parameterShapes(dims);
    if (weights) {
      for (const [name, shape] of shapes) {
        const size = shape.reduce((a, b) => a * b, 1);
        const data = weights.get(name);
        if (!data || data.length !== size) {
          throw new Error(
            `${label}: tensor ${name} should hold ${size} values (shape ${shape.join('x')}), got ${data?.length ?? 'none'}.`,
          );
        }
      }
    }
    for (const [name, shape] of shapes) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = weights?.get(name);
      const buffer = data ? ctx.upload(`${label}.${name}`, data) : ctx.buffer(`${label}.${name}`, size * 4);
      this.tensors.set(name, { name, shape, size, buffer });
    }
  }

  get(name: string): GPUBuffer {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`No parameter named ${name}.`);
    return t.buffer;
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  zero(): void {
    for (const t of this.tensors.values()) this.ctx.clear(t.buffer);
  }

  async download(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const t of this.tensors.values()) out.set(t.name, await this.ctx.read(t.buffer, 0, t.size * 4));
    return out;
  }

  destroy(): void {
    for (const t of this.tensors.values()) t.buffer.destroy();
  }
}
