// The engine's handle on one GPUDevice: labelled buffers, a pipeline cache keyed by (kernel, entry, constants),
// batched dispatches with uniforms from a ring (no allocation per call), readback, and typed errors.

import type { AcquiredDevice, AdapterSummary } from './adapter.ts';
import { DeviceLostError, GpuOutOfMemoryError, GpuValidationError } from './errors.ts';
import type { GpuProfiler } from './profiler.ts';

export type Constants = Record<string, number>;

/** A WGSL program; `name` labels pipelines and errors. */
export interface KernelSource {
  name: string;
  code: string;
}

export interface Dispatch {
  kernel: KernelSource;
  entry: string;
  constants?: Constants;
  /** Values for the kernel's `@group(0) @binding(0) var<uniform>` struct: u32 unless listed in `floats`. */
  params?: number[];
  floats?: number[];
  /** Storage buffers for bindings 1..n, in order. */
  buffers: (GPUBuffer | { buffer: GPUBuffer; offset: number; size: number })[];
  workgroups: [number, number?, number?];
  /** Floating-point operations of this dispatch, for the profiler's GFLOP/s (0 when not meaningful). */
  flops?: number;
}

const UNIFORM_SLOT = 256; // minUniformBufferOffsetAlignment on every adapter
const UNIFORM_SLOTS = 2048;
const PARAM_WORDS = 32;

export class GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  /** Counts createBuffer calls so tests can prove the hot path allocates nothing after warm-up. */
  buffersCreated = 0;
  /** Bytes of every buffer created (never decreased by destroy): tests and benches diff it around a load. */
  bytesCreated = 0;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly uniforms: GPUBuffer;
  private readonly uniformStaging = new ArrayBuffer(UNIFORM_SLOT * UNIFORM_SLOTS);
  private slot = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly staging = new Map<number, GPUBuffer[]>();
  private lostReason: string | null = null;
  /** Bound where a kernel's optional input (a bias) is absent. */
  readonly empty: GPUBuffer;
  /** Matmul-like kernels come in a barrier-free variant (CPU adapters) and a workgroup-tiled one (GPUs). */
  readonly prefersTiled: boolean;
  private uncaptured: Error | null = null;
  private readonly lostListeners = new Set<(e: DeviceLostError) => void>();
  /** Benchmarks attach one to time every dispatch (each then gets its own timestamped pass). */
  profiler: GpuProfiler | null = null;

  constructor({ device, summary }: AcquiredDevice) {
    this.device = device;
    this.adapter = summary;
    this.prefersTiled = !summary.isCpu;
    this.empty = this.buffer('empty', 4);
    this.uniforms = this.buffer('uniform ring', UNIFORM_SLOT * UNIFORM_SLOTS, USAGE.UNIFORM | USAGE.COPY_DST);
    device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      this.uncaptured ??= toTypedError('running a kernel', err);
    });
    void device.lost.then((info) => {
      if (info.reason === 'destroyed') return;
      this.lostReason = info.message || String(info.reason);
      const err = new DeviceLostError(this.lostReason);
      for (const cb of this.lostListeners) cb(err);
    });
  }

  /** Called once when the device is lost (not when we destroy it ourselves); the engine re-creates and replays. */
  onDeviceLost(cb: (e: DeviceLostError) => void): () => void {
    this.lostListeners.add(cb);
    return () => this.lostListeners.delete(cb);
  }

  get lost(): boolean {
    return this.lostReason !== null;
  }

  /** A labelled storage buffer (size rounded up to 4 bytes). */
  buffer(label: string, bytes: number, usage = STORAGE): GPUBuffer {
    this.checkAlive();
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    if (size > this.device.limits.maxBufferSize) {
      throw new GpuOutOfMemoryError(`allocating "${label}" (over the adapter's maxBufferSize)`, size);
    }
    this.buffersCreated++;
    this.bytesCreated += size;
    return this.device.createBuffer({ label, size, usage });
  }

  /** A storage buffer holding `data`. */
  upload(label: string, data: Float32Array | Uint32Array | Int32Array): GPUBuffer {
    const buf = this.buffer(label, data.byteLength);
    this.write(buf, data);
    return buf;
  }

  write(buf: GPUBuffer, data: Float32Array | Uint32Array | Int32Array, byteOffset = 0): void {
    this.device.queue.writeBuffer(buf, byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Records a dispatch into the current batch; call `flush()` (or `read`) to submit. */
  dispatch(d: Dispatch): void {
    this.checkAlive();
    const pipeline = this.pipeline(d.kernel, d.entry, d.constants);
    if (this.slot === UNIFORM_SLOTS) this.flush();
    const entries: GPUBindGroupEntry[] = [];
    if (d.params || d.floats) {
      const off = this.slot * UNIFORM_SLOT;
      const words = new Uint32Array(this.uniformStaging, off, PARAM_WORDS);
      const floats = new Float32Array(this.uniformStaging, off, PARAM_WORDS);
      const p = d.params ?? [];
      p.forEach((v, i) => (words[i] = v));
      (d.floats ?? []).forEach((v, i) => (floats[p.length + i] = v));
      entries.push({ binding: 0, resource: { buffer: this.uniforms, offset: off, size: PARAM_WORDS * 4 } });
      this.slot++;
    }
    d.buffers.forEach((b, i) => {
      entries.push({ binding: i + 1, resource: 'buffer' in b ? b : { buffer: b } });
    });
    const group = this.device.createBindGroup({
      label: `${d.kernel.name}.${d.entry}`,
      layout: pipeline.getBindGroupLayout(0),
      entries,
    });
    this.encoder ??= this.device.createCommandEncoder({ label: 'editscope batch' });
    if (this.profiler) {
      if (this.profiler.full) this.flush();
      this.endPass();
      this.encoder ??= this.device.createCommandEncoder({ label: 'editscope batch' });
      const timestampWrites = this.profiler.passTimestamps(d.kernel.name, d.flops ?? 0);
      this.pass = this.encoder.beginComputePass({ label: d.kernel.name, timestampWrites });
    }
    this.pass ??= this.encoder.beginComputePass({ label: 'editscope pass' });
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, group);
    const [x, y = 1, z = 1] = d.workgroups;
    this.pass.dispatchWorkgroups(x, y, z);
  }

  /** Copies within the current batch (ends the compute pass; the next dispatch opens a new one). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.endPass();
    this.encoder ??= this.device.createCommandEncoder({ label: 'editscope batch' });
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Zeroes `bytes` of `buf` from `offset` within the current batch (gradients before a backward pass). */
  clear(buf: GPUBuffer, offset = 0, bytes = buf.size - offset): void {
    this.endPass();
    this.encoder ??= this.device.createCommandEncoder({ label: 'editscope batch' });
    this.encoder.clearBuffer(buf, offset, bytes);
  }

  /** Submits everything recorded so far. Uniform slots are written just before the submit that uses them. */
  flush(): void {
    this.endPass();
    if (this.slot > 0) {
      this.device.queue.writeBuffer(this.uniforms, 0, this.uniformStaging, 0, this.slot * UNIFORM_SLOT);
      this.slot = 0;
    }
    if (this.encoder) {
      this.profiler?.resolve(this.encoder);
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
    }
    this.throwUncaptured();
  }

  /** Waits for the GPU; surfaces any error raised by the work so far as a typed error. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.throwUncaptured();
    this.checkAlive();
  }

  /** Reads `bytes` from `src` at `offset` into a new Float32Array (staging buffers are pooled by size). */
  async read(src: GPUBuffer, offset = 0, bytes = src.size - offset): Promise<Float32Array> {
    const raw = await this.readBytes(src, offset, bytes);
    return new Float32Array(raw);
  }

  async readU32(src: GPUBuffer, offset = 0, bytes = src.size - offset): Promise<Uint32Array> {
    return new Uint32Array(await this.readBytes(src, offset, bytes));
  }

  private async readBytes(src: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
    const size = Math.ceil(bytes / 4) * 4;
    const pool = this.staging.get(size) ?? [];
    this.staging.set(size, pool);
    const stage = pool.pop() ?? this.buffer(`readback ${size}B`, size, USAGE.MAP_READ | USAGE.COPY_DST);
    this.copy(src, offset, stage, 0, size);
    this.flush();
    try {
      await stage.mapAsync(1 /* GPUMapMode.READ */);
    } catch (e) {
      this.throwUncaptured();
      this.checkAlive();
      throw e;
    }
    const out = stage.getMappedRange().slice(0, bytes);
    stage.unmap();
    pool.push(stage);
    this.throwUncaptured();
    return out;
  }

  /** Compiles once per (kernel, entry, constants); shader compile errors become GpuValidationError. */
  pipeline(kernel: KernelSource, entry: string, constants: Constants = {}): GPUComputePipeline {
    const key = `${kernel.name}|${entry}|${JSON.stringify(constants)}`;
    let p = this.pipelines.get(key);
    if (p) return p;
    let module = this.modules.get(kernel.name);
    if (!module) {
      module = this.device.createShaderModule({ label: kernel.name, code: kernel.code });
      this.modules.set(kernel.name, module);
    }
    p = this.device.createComputePipeline({
      label: key,
      layout: 'auto',
      compute: { module, entryPoint: entry, constants },
    });
    this.pipelines.set(key, p);
    return p;
  }

  /** Runs `fn` inside validation and out-of-memory error scopes and throws the first error as a typed one. */
  async scoped<T>(what: string, fn: () => T): Promise<T> {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let result: T | undefined;
    let thrown: unknown;
    try {
      result = fn();
    } catch (e) {
      thrown = e;
    }
    this.endPass();
    const validation = await this.device.popErrorScope();
    const oom = await this.device.popErrorScope();
    const gpuError = oom ?? validation;
    if (gpuError) throw toTypedError(what, gpuError);
    if (thrown !== undefined) throw thrown;
    return result as T;
  }

  destroy(): void {
    this.device.destroy();
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private throwUncaptured(): void {
    const e = this.uncaptured;
    if (e) {
      this.uncaptured = null;
      throw e;
    }
  }

  private checkAlive(): void {
    if (this.lostReason !== null) throw new DeviceLostError(this.lostReason);
  }
}

// GPUBufferUsage values as numbers: in Node the GPU* globals exist only after nodeGPU() ran, and this module
// may be imported before that.
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const STORAGE = USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST;

function toTypedError(what: string, err: GPUError): Error {
  if (err.constructor.name === 'GPUOutOfMemoryError') return new GpuOutOfMemoryError(what);
  return new GpuValidationError(what, err.message);
}
