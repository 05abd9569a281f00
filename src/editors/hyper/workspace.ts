// GPU scratch and parameter storage for the hypernetworks: named buffers that grow only when a batch is larger
// than any before (warm-up), so a training loop allocates nothing per step afterwards.

import type { GpuContext } from '../../gpu/context.ts';
import { EditorWeightsError } from '../types.ts';
import type { HypernetParam } from './types.ts';

/**
 * Named activation buffers (f32 counts); `get` reuses a buffer unless it is too small. A grown buffer starts
 * empty: saved activations are only sized by forward passes (backward passes fetch them with floats = 0 and
 * size only their own scratch), so what a forward saved survives until its backward.
 */
export class Workspace {
  private readonly buffers = new Map<string, { buffer: GPUBuffer; floats: number }>();
  private onesFloats = 0;

  constructor(
    private readonly ctx: GpuContext,
    private readonly label: string,
  ) {}

  get(name: string, floats: number): GPUBuffer {
    const have = this.buffers.get(name);
    if (have && have.floats >= floats) return have.buffer;
    if (have) {
      // Commands already recorded may still use the old buffer: submit them first (WebGPU keeps a destroyed
      // buffer alive for submitted work, but rejects a submit that uses one destroyed while recording).
      this.ctx.flush();
      have.buffer.destroy();
    }
    // Grow by half again so a slowly growing batch does not reallocate every step.
    const size = Math.max(floats, Math.ceil((have?.floats ?? 0) * 1.5), 1);
    const buffer = this.ctx.buffer(`${this.label}.${name}`, size * 4);
    this.buffers.set(name, { buffer, floats: size });
    return buffer;
  }

  /** A buffer holding `data` (small index tables: segment ids). */
  write(name: string, data: Uint32Array | Float32Array): GPUBuffer {
    const b = this.get(name, data.length);
    this.ctx.write(b, data);
    return b;
  }

  /** At least n ones (column sums as ones(1, n)·x, unit row scales). */
  ones(n: number): GPUBuffer {
    const b = this.get('ones', n);
    if (n > this.onesFloats) {
      this.onesFloats = Math.max(n, Math.ceil(this.onesFloats * 1.5));
      this.ctx.write(b, new Float32Array(this.onesFloats).fill(1));
    }
    return b;
  }

  destroy(): void {
    for (const { buffer } of this.buffers.values()) buffer.destroy();
    this.buffers.clear();
  }
}

export type Init =
  | { kind: 'zeros' }
  | { kind: 'const'; value: number }
  /** Glorot & Bengio 2010 uniform bound √(6 / (fanIn + fanOut)) (torch.nn.init.xavier_uniform_). */
  | { kind: 'xavier'; fanIn: number; fanOut: number }
  | { kind: 'normal'; std: number };

/** The editor's trainable tensors with their gradients, created once. */
export class ParamSet {
  readonly list: HypernetParam[] = [];
  private readonly byName = new Map<string, HypernetParam>();
  private rng: number;

  constructor(
    private readonly ctx: GpuContext,
    private readonly label: string,
    private readonly loaded: Map<string, Float32Array> | undefined,
    seed = 1,
  ) {
    this.rng = seed >>> 0;
  }

  add(name: string, shape: number[], init: Init, decay: boolean): HypernetParam {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = this.loaded ? this.fromFile(name, size) : this.initial(size, init);
    const p: HypernetParam = {
      name,
      shape,
      size,
      decay,
      buffer: this.ctx.upload(`${this.label}.${name}`, data),
      grad: this.ctx.upload(`${this.label}.${name}.grad`, new Float32Array(size)),
    };
    this.list.push(p);
    this.byName.set(name, p);
    return p;
  }

  get(name: string): HypernetParam {
    const p = this.byName.get(name);
    if (!p) throw new Error(`No hypernetwork parameter named ${name}.`);
    return p;
  }

  zeroGrad(): void {
    for (const p of this.list) this.ctx.clear(p.grad);
  }

  destroy(): void {
    for (const p of this.list) {
      p.buffer.destroy();
      p.grad.destroy();
    }
  }

  private fromFile(name: string, size: number): Float32Array {
    const data = this.loaded!.get(name);
    if (!data) throw new MissingTensorError(name, size, null);
    if (data.length !== size) throw new MissingTensorError(name, size, data.length);
    return data;
  }

  private initial(size: number, init: Init): Float32Array {
    const out = new Float32Array(size);
    switch (init.kind) {
      case 'zeros':
        return out;
      case 'const':
        return out.fill(init.value);
      case 'xavier': {
        const bound = Math.sqrt(6 / (init.fanIn + init.fanOut));
        for (let i = 0; i < size; i++) out[i] = (this.uniform() * 2 - 1) * bound;
        return out;
      }
      case 'normal':
        for (let i = 0; i < size; i++) {
          const u1 = this.uniform() || 1e-12;
          out[i] = init.std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * this.uniform());
        }
        return out;
    }
  }

  /** mulberry32: deterministic initialisation, so a training run reproduces from its seed. */
  private uniform(): number {
    this.rng = (this.rng + 0x6d2b79f5) >>> 0;
    let t = this.rng;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** A weights file lacks a tensor the configuration needs, or holds it with another size. */
export class MissingTensorError extends EditorWeightsError {
  constructor(
    readonly tensor: string,
    readonly expected: number,
    readonly got: number | null,
  ) {
    super(
      got === null
        ? `The editor weights lack the tensor ${tensor}.`
        : `The editor tensor ${tensor} holds ${got} values; this configuration needs ${expected}.`,
    );
  }
}
