// Per-kernel GPU timings from timestamp queries: with a profiler attached, GpuContext gives every dispatch its
// own compute pass with begin/end timestamps, resolved at each flush. Benchmarks only: it allocates per flush.

export interface KernelStat {
  kernel: string;
  dispatches: number;
  ms: number;
  flops: number;
  gflops: number;
}

const CAPACITY = 2048; // dispatches per flush (2 queries each; WebGPU allows 4096 queries per set)

export class GpuProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  private labels: { kernel: string; flops: number }[] = [];
  private readonly pending: Promise<void>[] = [];
  private readonly stats = new Map<string, { dispatches: number; ns: number; flops: number }>();

  constructor(private readonly device: GPUDevice) {
    if (!device.features.has('timestamp-query')) {
      throw new Error('This adapter has no timestamp-query feature: per-kernel timings are unavailable.');
    }
    this.querySet = device.createQuerySet({ label: 'profiler', type: 'timestamp', count: 2 * CAPACITY });
    this.resolveBuffer = device.createBuffer({
      label: 'profiler.resolve',
      size: 16 * CAPACITY,
      usage: 0x200 /* QUERY_RESOLVE */ | 0x4 /* COPY_SRC */,
    });
  }

  get full(): boolean {
    return this.labels.length >= CAPACITY;
  }

  /** Timestamp writes for the next dispatch's own pass. */
  passTimestamps(kernel: string, flops: number): GPUComputePassTimestampWrites {
    const i = this.labels.length;
    this.labels.push({ kernel, flops });
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Called by GpuContext.flush before finishing the encoder. */
  resolve(encoder: GPUCommandEncoder): void {
    const n = this.labels.length;
    if (n === 0) return;
    const labels = this.labels;
    this.labels = [];
    const read = this.device.createBuffer({
      label: 'profiler.read',
      size: 16 * n,
      usage: 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */,
    });
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, read, 0, 16 * n);
    // mapAsync after the submit that follows: queue it as a microtask-free promise chain.
    this.pending.push(
      Promise.resolve().then(async () => {
        await read.mapAsync(1);
        const t = new BigUint64Array(read.getMappedRange());
        labels.forEach(({ kernel, flops }, i) => {
          const s = this.stats.get(kernel) ?? { dispatches: 0, ns: 0, flops: 0 };
          s.dispatches++;
          s.ns += Number(t[2 * i + 1] - t[2 * i]);
          s.flops += flops;
          this.stats.set(kernel, s);
        });
        read.destroy();
      }),
    );
  }

  /** Waits for every resolved flush and returns the totals per kernel, slowest first; then resets. */
  async collect(): Promise<KernelStat[]> {
    await Promise.all(this.pending.splice(0));
    const out = [...this.stats].map(([kernel, s]) => ({
      kernel,
      dispatches: s.dispatches,
      ms: s.ns / 1e6,
      flops: s.flops,
      gflops: s.ns > 0 ? s.flops / s.ns : 0,
    }));
    this.stats.clear();
    return out.sort((a, b) => b.ms - a.ms);
  }
}
