// The peer benchmark's page: one model at a time in three runtimes on the same weights and token ids, driven
// by bench/peers/run.ts through window.editscopePeers. Each `time*` call runs one scenario once and returns
// wall ms with the result read back to the CPU (the next-token distribution, or its top-1 for decode):
//   prefill T: T tokens in, the last position's distribution out (the ONNX graph keeps only that row's logits,
//              as the engine computes only that row of the head)
//   decode:    one token after a 16-token prompt, with a KV cache (ours: Gpt2Model.generate's cached decoder,
//              timed as generate(2 tokens) - generate(1 token); ORT: one run feeding the prefill's presents)

import * as ort from 'onnxruntime-web/webgpu';
import type { GpuContext } from '../../src/gpu/context.ts';
import { describeAdapter } from '../../src/gpu/adapter.ts';
import { GPT2_PRESETS } from '../../src/model/config.ts';
import type { Gpt2Dims } from '../../src/model/gpt2/dims.ts';
import { randomGpt2Init } from '../../src/model/gpt2/init.ts';
import { Gpt2Model } from '../../src/model/gpt2/model.ts';
import { gpt2Onnx, pastName, presentName } from '../../src/model/onnx/gpt2.ts';
import { engineContext, factWorld, ORT_WASM_PATHS } from './browser-common.ts';

ort.env.wasm.wasmPaths = ORT_WASM_PATHS;

type Peer = 'ours' | 'ortWebgpu' | 'ortWasm';

interface Loaded {
  name: string;
  dims: Gpt2Dims;
  model: Gpt2Model;
  sessions: Partial<Record<'ortWebgpu' | 'ortWasm', ort.InferenceSession>>;
  sessionMs: Partial<Record<'ortWebgpu' | 'ortWasm', number>>;
}

let ctx: GpuContext | null = null;
let current: Loaded | null = null;

const ids = (T: number, V: number) => Array.from({ length: T }, (_, i) => (i * 7919 + 13) % V);
const i64 = (xs: number[]) => BigInt64Array.from(xs.map((x) => BigInt(x)));

async function setup(name: 'fact-world' | 'gpt2-124m', threads: number) {
  ctx ??= await engineContext();
  current?.model.destroy();
  for (const s of Object.values(current?.sessions ?? {})) await s.release();
  current = null;
  let dims: Gpt2Dims;
  let weights: Map<string, Float32Array>;
  if (name === 'fact-world') {
    const fw = await factWorld();
    dims = fw.checkpoint.config;
    weights = fw.checkpoint.weights;
  } else {
    dims = { ...GPT2_PRESETS.gpt2 };
    weights = randomGpt2Init(dims, 1);
  }
  const model = new Gpt2Model(ctx, dims, weights, name);
  const bytes = gpt2Onnx(dims, weights, { logits: 'last' });
  ort.env.wasm.numThreads = threads;
  const loaded: Loaded = { name, dims, model, sessions: {}, sessionMs: {} };
  for (const [peer, ep] of [
    ['ortWasm', 'wasm'],
    ['ortWebgpu', 'webgpu'],
  ] as const) {
    const t0 = performance.now();
    loaded.sessions[peer] = await ort.InferenceSession.create(bytes, { executionProviders: [ep] });
    loaded.sessionMs[peer] = performance.now() - t0;
  }
  current = loaded;
  return {
    adapter: describeAdapter(ctx.adapter),
    onnxBytes: bytes.length,
    sessionMs: loaded.sessionMs,
    crossOriginIsolated: self.crossOriginIsolated,
    wasmThreads: ort.env.wasm.numThreads,
  };
}

function feeds(d: Gpt2Dims, tokens: number[], pos0: number, past?: ort.InferenceSession.OnnxValueMapType) {
  const H = d.nHead;
  const D = d.nEmbd / H;
  const f: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', i64(tokens), [1, tokens.length]),
    attention_mask: new ort.Tensor('int64', i64(Array(pos0 + tokens.length).fill(1)), [
      1,
      pos0 + tokens.length,
    ]),
    position_ids: new ort.Tensor('int64', i64(tokens.map((_, t) => pos0 + t)), [1, tokens.length]),
  };
  for (let l = 0; l < d.nLayer; l++)
    for (const kv of ['key', 'value'] as const)
      f[pastName(l, kv)] = past
        ? (past[presentName(l, kv)] as ort.Tensor)
        : new ort.Tensor('float32', new Float32Array(0), [1, H, 0, D]);
  return f;
}

async function readLogits(out: ort.InferenceSession.OnnxValueMapType): Promise<Float32Array> {
  return (await (out.logits as ort.Tensor).getData()) as Float32Array;
}

/** One timed run of a scenario on one peer: wall ms, result on the CPU. */
async function time(peer: Peer, scenario: 'prefill16' | 'prefill128' | 'decode'): Promise<number> {
  const m = current;
  if (!m) throw new Error('call setup first');
  const d = m.dims;
  const T = scenario === 'prefill128' ? Math.min(128, d.nPositions) : 16;
  const tokens = ids(T, d.vocabSize);
  if (peer === 'ours') {
    if (scenario !== 'decode') {
      const t0 = performance.now();
      await m.model.nextTokenDistributions([tokens]);
      return performance.now() - t0;
    }
    const t0 = performance.now();
    await m.model.generate(tokens, 1);
    const t1 = performance.now();
    await m.model.generate(tokens, 2);
    const t2 = performance.now();
    return Math.max(0, t2 - t1 - (t1 - t0));
  }
  const s = m.sessions[peer]!;
  if (scenario !== 'decode') {
    const t0 = performance.now();
    await readLogits(await s.run(feeds(d, tokens, 0)));
    return performance.now() - t0;
  }
  const pre = await s.run(feeds(d, tokens, 0));
  const t0 = performance.now();
  await readLogits(await s.run(feeds(d, [tokens[0]], T, pre)));
  return performance.now() - t0;
}

(window as unknown as { editscopePeers: unknown }).editscopePeers = { setup, time };
document.body.dataset.ready = 'true';
