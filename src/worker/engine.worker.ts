/// <reference lib="webworker" />
// The engine in a Web Worker: owns the GPUDevice and everything on it; answers EngineCalls (see protocol.ts).

import { acquireDevice } from '../gpu/adapter.ts';
import { GpuContext } from '../gpu/context.ts';
import { runMatmulCheck } from '../gpu/self-check.ts';
import type { CallName, CallPayload, CallResult, FromWorker, ProgressEvent, ToWorker } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

let gpu: Promise<GpuContext> | null = null;
const cancelled = new Set<number>();

function context(): Promise<GpuContext> {
  gpu ??= acquireDevice(navigator.gpu).then((d) => {
    const ctx = new GpuContext(d);
    ctx.onDeviceLost((e) => {
      gpu = null;
      post({ kind: 'deviceLost', message: e.message });
    });
    return ctx;
  });
  gpu.catch(() => (gpu = null));
  return gpu;
}

export interface HandlerTools {
  progress: (p: ProgressEvent) => void;
  /** Long loops call this between steps; it throws CancelledError once the UI cancelled the call. */
  checkCancelled: () => void;
}

type Handlers = { [K in CallName]: (payload: CallPayload<K>, tools: HandlerTools) => Promise<CallResult<K>> };

const handlers: Partial<Handlers> = {
  init: async () => ({ adapter: (await context()).adapter }),
  selfCheck: async () => ({ results: await runMatmulCheck(await context()) }),
};

function post(msg: FromWorker): void {
  self.postMessage(msg);
}

self.addEventListener('message', async (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.kind === 'cancel') {
    cancelled.add(msg.id);
    return;
  }
  const { id, name, payload } = msg;
  const tools: HandlerTools = {
    progress: (progress) => post({ kind: 'progress', id, progress }),
    checkCancelled: () => {
      if (cancelled.has(id)) {
        const e = new Error('Cancelled.');
        e.name = 'CancelledError';
        throw e;
      }
    },
  };
  try {
    const handler = handlers[name] as ((p: unknown, t: HandlerTools) => Promise<unknown>) | undefined;
    if (!handler) throw new Error(`The engine does not handle "${name}" yet.`);
    post({ kind: 'result', id, result: await handler(payload, tools) });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ kind: 'error', id, error: { name: err.name, message: err.message } });
  } finally {
    cancelled.delete(id);
  }
});
