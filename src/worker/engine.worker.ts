/// <reference lib="webworker" />
// The engine in a Web Worker: owns the GPUDevice and everything on it; answers EngineCalls (see protocol.ts).

import { EngineHost } from '../engine/host.ts';
import { acquireDevice } from '../gpu/adapter.ts';
import { runMatmulCheck } from '../gpu/self-check.ts';
import type { CallName, CallPayload, CallResult, FromWorker, ProgressEvent, ToWorker } from './protocol.ts';
import { exportOnnxFiles } from './export-onnx.ts';
import { measureNow } from './measure.ts';
import { exportPatchFile, importPatchFile } from './patch-file.ts';
import { PatchShelf } from './patch-shelf.ts';
import { sampleText } from './sample.ts';
import { sequentialHandlers } from './sequential.ts';
import { browserStatsCache, computeRomeStats, withCachedRomeStats } from './rome-stats.ts';
import { resolveSource, sourceWeightOptions } from './sources.ts';
import { opfsCheckpointStore } from './training-store.ts';
import { trainingHandlers } from './training-calls.ts';
import { tokenPieces } from './token-pieces.ts';

declare const self: DedicatedWorkerGlobalScope;

const cancelled = new Set<number>();
/** ROME statistics computed in this browser, by key weights fingerprint (src/worker/rome-stats.ts). */
const statsCache = browserStatsCache();
const trainingStore = opfsCheckpointStore();
const shelf = new PatchShelf();

const host = new EngineHost(
  () => acquireDevice(navigator.gpu),
  (message, recovered) => {
    post({ kind: 'deviceLost', message });
    recovered.then(
      () => post({ kind: 'deviceRecovered' }),
      (e: Error) =>
        post({
          kind: 'deviceLost',
          message: `Could not recover the GPU device: ${e.message}. Reload the page; your session is in the link.`,
        }),
    );
  },
);

export interface HandlerTools {
  progress: (p: ProgressEvent) => void;
  /** Long loops call this between steps; it throws CancelledError once the UI cancelled the call. */
  checkCancelled: () => void;
}

type Handlers = { [K in CallName]: (payload: CallPayload<K>, tools: HandlerTools) => Promise<CallResult<K>> };

const handlers: Handlers = {
  init: async () => ({ adapter: (await host.context()).adapter }),
  selfCheck: async () => ({ results: await runMatmulCheck(await host.context()) }),
  loadModel: async ({ source, files, dtype }, { progress }) => {
    const model = await host.load(await resolveSource(source, files, progress, dtype), progress);
    shelf.clear();
    return withCachedRomeStats(host, statsCache, model);
  },
  weightOptions: async ({ source, config }) =>
    sourceWeightOptions(source, config, (await host.context()).device.limits),
  computeRomeStats: (input, tools) => computeRomeStats(host, statsCache, input, tools),
  ...trainingHandlers(host, trainingStore), // editor training and editor files (training-calls.ts)
  ...sequentialHandlers(host), // the sequential (lifelong) view's runs (sequential.ts)
  predict: async ({ prompts, k }) => ({ results: await host.current.predict(prompts, k) }),
  generate: async ({ prompt, maxTokens }) => ({ text: await host.current.generate(prompt, maxTokens) }),
  edit: async ({ request, method, settings, gen, loc }, { progress, checkCancelled }) => {
    progress({ stage: `Editing with ${method.toUpperCase()}`, fraction: null });
    const input = { request, method, settings, gen, loc };
    const outcome = await host.edit(input, checkCancelled);
    shelf.keep(host, outcome.editId, input);
    return outcome;
  },
  restoreEdits: async ({ editIds }) => ({ restored: shelf.restore(host, editIds) }),
  exportPatches: async () => exportPatchFile(host, shelf),
  importPatches: async ({ manifest, safetensors }, { checkCancelled }) => ({
    outcomes: await importPatchFile(host, shelf, manifest, new Uint8Array(safetensors), checkCancelled),
  }),
  revert: async ({ editId }) => ({ remaining: host.revert(editId) }),
  suspendMatching: async ({ request }) => ({ suspended: host.current.suspendMatching(request) }),
  resumeEdits: async () => {
    host.current.resume();
    return {};
  },
  measure: async (input) => measureNow(host.current, input),
  exportOnnx: async () => exportOnnxFiles(host),
  tokenPieces: async ({ ids }) => ({ pieces: tokenPieces(host.current.view.tokenizer, ids) }),
  sample: async (input) => ({ text: await sampleText(host.current, input) }),
  reset: async () => {
    host.reset();
    return {};
  },
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
    if (!handler) throw new Error(`Unknown engine call "${name}".`);
    post({ kind: 'result', id, result: await handler(payload, tools) });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ kind: 'error', id, error: { name: err.name, message: err.message } });
  } finally {
    cancelled.delete(id);
  }
});
