// Shared by the test/benchmark pages in bench/peers/ (never by the app): the engine on navigator.gpu, the
// fact-world files from the built app's /models/ folder, and onnxruntime-web's wasm files served by Vite from
// node_modules (transformers.js would otherwise fetch them from a CDN, which an offline machine cannot reach).

import ortWasmMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { acquireDevice } from '../../src/gpu/adapter.ts';
import { GpuContext } from '../../src/gpu/context.ts';
import { parseCheckpoint, type CheckpointFiles } from '../../src/model/checkpoint.ts';

export const ORT_WASM_PATHS = {
  mjs: new URL(ortWasmMjs, location.href).href,
  wasm: new URL(ortWasm, location.href).href,
};

export async function engineContext(): Promise<GpuContext> {
  return new GpuContext(await acquireDevice(navigator.gpu));
}

async function bytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

export const FACT_WORLD_BASE = new URL('/models/fact-world/', location.href).href;

/** The fact-world checkpoint files and the parsed checkpoint. */
export async function factWorld() {
  const dec = new TextDecoder();
  const files: CheckpointFiles = {
    config: dec.decode(await bytes(`${FACT_WORLD_BASE}config.json`)),
    safetensors: await bytes(`${FACT_WORLD_BASE}model.safetensors`),
    tokenizer: dec.decode(await bytes(`${FACT_WORLD_BASE}tokenizer.json`)),
  };
  return { files, checkpoint: parseCheckpoint(files, 'fact-world') };
}

/** Editor side files (ROME covariance, MEND/IBKE weights) next to the fact-world model; null when absent. */
export async function factWorldFile(name: string): Promise<Uint8Array | null> {
  const res = await fetch(`${FACT_WORLD_BASE}${name}`);
  if (!res.ok || (res.headers.get('content-type') ?? '').startsWith('text/html')) return null;
  return new Uint8Array(await res.arrayBuffer());
}
