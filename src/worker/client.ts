// UI-thread side of the engine worker: typed calls that return promises, progress callbacks, cancellation.

import {
  CancelledError,
  EngineError,
  type CallName,
  type CallPayload,
  type CallResult,
  type FromWorker,
  type ProgressEvent,
  type ToWorker,
} from './protocol.ts';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (p: ProgressEvent) => void;
}

export interface CallOptions {
  onProgress?: (p: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Buffers in the payload to move to the worker instead of copying (e.g. a local model.safetensors). */
  transfer?: Transferable[];
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly lostListeners = new Set<(message: string) => void>();
  private readonly recoveredListeners = new Set<() => void>();

  constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (ev: MessageEvent<FromWorker>) => this.receive(ev.data));
    worker.addEventListener('error', (ev) => {
      const err = new EngineError({
        name: 'WorkerError',
        message: `The engine worker failed: ${ev.message}`,
      });
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  static create(): EngineClient {
    return new EngineClient(new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' }));
  }

  call<K extends CallName>(name: K, payload: CallPayload<K>, opts: CallOptions = {}): Promise<CallResult<K>> {
    const id = this.nextId++;
    return new Promise<CallResult<K>>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new CancelledError());
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      opts.signal?.addEventListener('abort', () => this.post({ kind: 'cancel', id }), { once: true });
      this.post({ kind: 'call', id, name, payload }, opts.transfer);
    });
  }

  /** After a loss, the worker re-creates the device and replays the edits; this fires when that is done. */
  onDeviceRecovered(cb: () => void): () => void {
    this.recoveredListeners.add(cb);
    return () => this.recoveredListeners.delete(cb);
  }

  onDeviceLost(cb: (message: string) => void): () => void {
    this.lostListeners.add(cb);
    return () => this.lostListeners.delete(cb);
  }

  terminate(): void {
    this.worker.terminate();
  }

  private post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private receive(msg: FromWorker): void {
    if (msg.kind === 'deviceLost') {
      for (const cb of this.lostListeners) cb(msg.message);
      return;
    }
    if (msg.kind === 'deviceRecovered') {
      for (const cb of this.recoveredListeners) cb();
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.kind === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.kind === 'result') p.resolve(msg.result);
    else p.reject(msg.error.name === 'CancelledError' ? new CancelledError() : new EngineError(msg.error));
  }
}
