// The peer benchmark's page: one model at a time in three runtimes on the same weights and token ids, driven
// by bench/peers/run.ts through window.editscopePeers. Each `time*` call runs one scenario once and returns
// wall ms with the result read back to the CPU (the next-token distribution, or its top-1 for decode):
//   prefill T: T tokens in, the last position's distribution out (the ONNX graph keeps only that row's logits,
//              as the engine computes only that row of the head)
//   decode:    one token after a 16-token prompt, with a KV cache (ours: Gpt2Model.generate's cached decoder,
//              timed as generate(2 tokens) - generate(1 token); ORT: one run feeding the prefill's presents)
// Models: fact-world (shipped weights), a random 124M GPT-2, and qwen3-small, a random Qwen3 (8 blocks, width 512,
// 8 query / 4 kv heads of 64, q/k norm, tied head, vocabulary 16,384; ~34M parameters), whose ONNX graph is the
// benchmark's own (bench/peers/qwen3-onnx.ts; the app's exporter writes GPT-2 only). `parity` checks every
// peer's next-token distribution against the engine's on one prompt, so a wrong graph shows in the results.

import * as ort from 'onnxruntime-web/webgpu';
import type { GpuContext } from '../../src/gpu/context.ts';
import { describeAdapter } from '../../src/gpu/adapter.ts';
import { pastName, presentName } from '../../src/model/onnx/gpt2.ts';
import { engineContext, factWorld, ORT_WASM_PATHS } from './browser-common.ts';
import {
  benchIds as ids,
  buildBenchModel,
  promptLength,
  timeOurs,
  type BenchModel,
  type ModelName,
  type Scenario,
  type Shape,
} from './models.ts';

ort.env.wasm.wasmPaths = ORT_WASM_PATHS;

type Peer = 'ours' | 'ortWebgpu' | 'ortWasm';

interface Loaded extends BenchModel {
  name: string;
  sessions: Partial<Record<'ortWebgpu' | 'ortWasm', ort.InferenceSession>>;
  sessionMs: Partial<Record<'ortWebgpu' | 'ortWasm', number>>;
}

let ctx: GpuContext | null = null;
let current: Loaded | null = null;

const i64 = (xs: number[]) => BigInt64Array.from(xs.map((x) => BigInt(x)));

/** Loads a model into the engine and into the ORT sessions named (none: Node-vs-Chromium runs). */
async function setup(
  name: ModelName,
  threads: number,
  ortPeers: ('ortWasm' | 'ortWebgpu')[] = ['ortWasm', 'ortWebgpu'],
) {
  ctx ??= await engineContext();
  current?.model.destroy();
  for (const s of Object.values(current?.sessions ?? {})) await s.release();
  current = null;
  const built = await buildBenchModel(ctx, name, async () => (await factWorld()).checkpoint);
  const bytes = ortPeers.length ? built.onnx() : new Uint8Array(0);
  ort.env.wasm.numThreads = threads;
  const loaded: Loaded = { ...built, name, sessions: {}, sessionMs: {} };
  for (const [peer, ep] of [
    ['ortWasm', 'wasm'],
    ['ortWebgpu', 'webgpu'],
  ] as const)
    if (ortPeers.includes(peer)) {
      const t0 = performance.now();
      loaded.sessions[peer] = await ort.InferenceSession.create(bytes, { executionProviders: [ep] });
      loaded.sessionMs[peer] = performance.now() - t0;
    }
  current = loaded;
  return {
    adapter: describeAdapter(ctx.adapter),
    parameters: built.model.parameterCount,
    onnxBytes: bytes.length,
    sessionMs: loaded.sessionMs,
    crossOriginIsolated: self.crossOriginIsolated,
    wasmThreads: ort.env.wasm.numThreads,
  };
}

function feeds(d: Shape, tokens: number[], pos0: number, past?: ort.InferenceSession.OnnxValueMapType) {
  const H = d.kvHeads;
  const D = d.headDim;
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

/** Tokens in a scenario's prompt (fact-world's context is 32, so its prefill128 is 32 tokens). */
function tokens(scenario: Scenario): number {
  if (!current) throw new Error('call setup first');
  return promptLength(current.dims, scenario);
}

function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const p = logits.map((x) => Math.exp(x - max));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / sum);
}

/**
 * max |log p_ours − log p_peer| over the vocabulary (the logits' difference up to each side's normaliser), for
 * the next token after 16 prompt tokens and after one more KV-cache step; `oursLogProbSpread` is the range of the
 * engine's log-probabilities, so a difference can be read against how far from uniform the distribution is.
 */
async function parity(): Promise<Record<string, number>> {
  const m = current;
  if (!m) throw new Error('call setup first');
  const prompt = ids(16, m.dims.vocabSize);
  const [ours] = await m.model.nextTokenDistributions([prompt]);
  const [oursNext] = await m.model.nextTokenDistributions([[...prompt, prompt[0]]]);
  const logs = (p: Float32Array) => p.map((x) => Math.log(Math.max(x, 1e-30)));
  const diff = (a: Float32Array, b: Float32Array) =>
    a.reduce((w, x, i) => Math.max(w, Math.abs(x - b[i])), 0);
  const lo = logs(ours);
  const out: Record<string, number> = {
    oursLogProbSpread:
      lo.reduce((a, b) => Math.max(a, b), -Infinity) - lo.reduce((a, b) => Math.min(a, b), Infinity),
  };
  for (const peer of ['ortWebgpu', 'ortWasm'] as const) {
    const s = m.sessions[peer];
    if (!s) continue;
    const pre = await s.run(feeds(m.dims, prompt, 0));
    const step = await s.run(feeds(m.dims, [prompt[0]], 16, pre));
    out[`${peer}Prefill`] = diff(lo, logs(softmax(await readLogits(pre))));
    out[`${peer}Decode`] = diff(logs(oursNext), logs(softmax(await readLogits(step))));
  }
  return out;
}

/** One timed run of a scenario on one peer: wall ms, result on the CPU. */
async function time(peer: Peer, scenario: Scenario): Promise<number> {
  const m = current;
  if (!m) throw new Error('call setup first');
  const d = m.dims;
  const T = promptLength(d, scenario);
  const tokens = ids(T, d.vocabSize);
  if (peer === 'ours') return timeOurs(m, scenario);
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

(window as unknown as { editscopePeers: unknown }).editscopePeers = { setup, time, parity, tokens };
document.body.dataset.ready = 'true';
