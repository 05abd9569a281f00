// "Edit here, ship with transformers.js", in one page: edit the fact-world model with the engine, export the
// merged weights as an ONNX folder (src/model/onnx/), load that folder with @huggingface/transformers from
// memory (env.fetch serves the exported bytes), and return both sides' top-5 and greedy continuation.
// e2e/onnx-interop.spec.ts calls window.editscopeInterop.run(request) and compares.

import { createEditors } from '../../src/engine/editors.ts';
import { EditSession } from '../../src/engine/session.ts';
import type { EditRequest, MethodName } from '../../src/engine/types.ts';
import { Gpt2Model } from '../../src/model/gpt2/model.ts';
import { onnxFolderFromModel, type OnnxFolder } from '../../src/model/onnx/folder.ts';
import { engineContext, factWorld, factWorldFile, ORT_WASM_PATHS } from './browser-common.ts';

const EXPORT_ROOT = '/exported-onnx/';
const MODEL_ID = 'fact-world-edited';

export interface InteropResult {
  engine: { top5: { id: number; prob: number }[]; continuation: number[] };
  transformers: { top5: { id: number; prob: number }[]; continuation: number[] };
  promptIds: number[];
  /** The edit's target as token ids (its first must now be the engine's top-1). */
  targetIds: number[];
  files: { name: string; bytes: number }[];
  exportMs: number;
  loadMs: number;
}

function top5(logits: Float32Array, V: number, row: number): { id: number; prob: number }[] {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[row * V + v]);
  const p = new Float64Array(V);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += p[v] = Math.exp(logits[row * V + v] - max);
  return [...p.keys()]
    .sort((a, b) => p[b] - p[a])
    .slice(0, 5)
    .map((id) => ({ id, prob: p[id] / sum }));
}

/** A fetch that answers the exported folder's files from memory and 404s everything else under the root. */
function folderFetch(folder: OnnxFolder): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      location.href,
    );
    const prefix = `${EXPORT_ROOT}${MODEL_ID}/`;
    if (!url.pathname.startsWith(EXPORT_ROOT)) return fetch(input, init);
    const file = folder.get(decodeURIComponent(url.pathname.slice(prefix.length)));
    if (file === undefined) return new Response('not found', { status: 404 });
    const body = typeof file === 'string' ? new TextEncoder().encode(file) : file;
    return new Response(body as BodyInit, {
      status: 200,
      headers: { 'content-length': String(body.byteLength) },
    });
  };
}

async function run(request: EditRequest, method: MethodName = 'ibke', newTokens = 6): Promise<InteropResult> {
  const ctx = await engineContext();
  const { files, checkpoint } = await factWorld();
  const model = new Gpt2Model(ctx, checkpoint.config, checkpoint.weights, 'interop');
  const view = { model, tokenizer: checkpoint.tokenizer };
  const session = new EditSession(view, await createEditors(view, factWorldFile));
  await session.edit({ request, method, gen: [], loc: [] });
  const promptIds = checkpoint.tokenizer.encode(request.prompt);
  const V = checkpoint.config.vocabSize;
  const probs = (await model.nextTokenDistributions([promptIds]))[0];
  const engineTop = [...probs.keys()]
    .sort((a, b) => probs[b] - probs[a])
    .slice(0, 5)
    .map((id) => ({ id, prob: probs[id] }));
  const eos = checkpoint.tokenizer.eosId ?? undefined;
  const engineCont = await model.generate(promptIds, newTokens, { stopId: eos });

  const t0 = performance.now();
  const folder = await onnxFolderFromModel(model, files, checkpoint.tokenizer.eosId);
  const exportMs = performance.now() - t0;
  model.destroy();

  // Lazy: transformers.js (and its onnxruntime-web) load only here.
  const tjs = await import('@huggingface/transformers');
  tjs.env.allowRemoteModels = false;
  tjs.env.allowLocalModels = true;
  tjs.env.localModelPath = EXPORT_ROOT;
  tjs.env.useBrowserCache = false;
  (tjs.env as { fetch: typeof fetch }).fetch = folderFetch(folder);
  const onnxEnv = tjs.env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number } };
  if (onnxEnv.wasm) {
    onnxEnv.wasm.wasmPaths = ORT_WASM_PATHS;
    onnxEnv.wasm.numThreads = 1;
  }
  const t1 = performance.now();
  const lm = await tjs.AutoModelForCausalLM.from_pretrained(MODEL_ID, { device: 'wasm', dtype: 'fp32' });
  const tok = await tjs.AutoTokenizer.from_pretrained(MODEL_ID);
  const loadMs = performance.now() - t1;
  const enc = tok(request.prompt) as { input_ids: { data: BigInt64Array }; attention_mask: unknown };
  const tjsIds = Array.from(enc.input_ids.data, Number);
  if (tjsIds.join() !== promptIds.join())
    throw new Error(`tokenizers disagree: engine [${promptIds}] vs transformers.js [${tjsIds}]`);
  const out = (await lm(enc)) as { logits: { data: Float32Array; dims: number[] } };
  const T = out.logits.dims[1];
  const tjsTop = top5(out.logits.data, V, T - 1);
  const gen = (await lm.generate({ ...enc, max_new_tokens: newTokens, do_sample: false })) as {
    data?: BigInt64Array;
    tolist?: () => bigint[][];
  };
  const all = gen.tolist ? gen.tolist()[0].map(Number) : Array.from(gen.data ?? [], Number);
  let tjsCont = all.slice(promptIds.length);
  // The engine stops before the end-of-text token; transformers.js includes it.
  if (eos !== undefined) {
    const at = tjsCont.indexOf(eos);
    if (at >= 0) tjsCont = tjsCont.slice(0, at);
  }
  return {
    engine: { top5: engineTop, continuation: engineCont },
    transformers: { top5: tjsTop, continuation: tjsCont },
    promptIds,
    targetIds: checkpoint.tokenizer.encode(request.target),
    files: [...folder].map(([name, v]) => ({ name, bytes: typeof v === 'string' ? v.length : v.byteLength })),
    exportMs,
    loadMs,
  };
}

(window as unknown as { editscopeInterop: unknown }).editscopeInterop = { run };
document.body.dataset.ready = 'true';
