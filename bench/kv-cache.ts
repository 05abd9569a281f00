// KV-cache benchmark: wall time of greedy generation with the cache (prefill once, one token per step) against
// re-running the whole prefix for every token, for a small random Qwen3-shaped and GPT-2-shaped model. Both
// paths must produce the same tokens (checked). Writes bench/results/kv-cache-<adapter>.json.
//
//   EDITSCOPE_ADAPTER=swiftshader node --import ./bin/register.mjs bench/kv-cache.ts

import { mkdirSync, writeFileSync } from 'node:fs';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { GpuContext } from '../src/gpu/context.ts';
import { acquireNodeDevice } from '../src/gpu/node.ts';
import { Gpt2Decoder } from '../src/model/gpt2/decode.ts';
import type { Gpt2Dims } from '../src/model/gpt2/dims.ts';
import { randomGpt2Init } from '../src/model/gpt2/init.ts';
import { Gpt2Model } from '../src/model/gpt2/model.ts';
import type { LlamaDims } from '../src/model/llama/dims.ts';
import { randomLlamaInit } from '../src/model/llama/init.ts';
import { LlamaModel } from '../src/model/llama/model.ts';
import { adapterSlug } from './adapter-slug.ts';

const PROMPT = 32;
const NEW = 32;
const QWEN3: LlamaDims = {
  architecture: 'qwen3',
  nLayer: 4,
  nEmbd: 256,
  nPositions: 256,
  vocabSize: 4096,
  nHead: 4,
  nKvHead: 2,
  headDim: 64,
  nInner: 768,
  eps: 1e-6,
  ropeTheta: 1e6,
  tiedEmbeddings: true,
  attentionBias: 'none',
  qkNorm: true,
};
const GPT2: Gpt2Dims = { nLayer: 4, nHead: 4, nEmbd: 256, nPositions: 256, vocabSize: 4096, eps: 1e-5 };

type Next = (seq: number[]) => Promise<number>;

async function uncached(next: Next, ids: number[], n: number): Promise<number[]> {
  const seq = [...ids];
  for (let i = 0; i < n; i++) seq.push(await next(seq));
  return seq.slice(ids.length);
}

async function measure(name: string, cached: () => Promise<number[]>, next: Next, ids: number[]) {
  await cached(); // warm-up: pipelines compiled, buffers sized
  await uncached(next, ids, 2);
  let t0 = performance.now();
  const a = await cached();
  const cachedMs = performance.now() - t0;
  t0 = performance.now();
  const b = await uncached(next, ids, NEW);
  const uncachedMs = performance.now() - t0;
  if (a.join() !== b.join()) throw new Error(`${name}: cached and uncached generation differ.`);
  console.log(`${name}: cached ${cachedMs.toFixed(0)} ms, uncached ${uncachedMs.toFixed(0)} ms`);
  return {
    model: name,
    promptTokens: ids.length,
    newTokens: NEW,
    cachedMs,
    uncachedMs,
    speedup: uncachedMs / cachedMs,
  };
}

const ctx = new GpuContext(await acquireNodeDevice());
console.log(`adapter: ${describeAdapter(ctx.adapter)}`);
const ids = Array.from({ length: PROMPT }, (_, i) => (i * 7919) % 4096);

const qwen = new LlamaModel(ctx, QWEN3, randomLlamaInit(QWEN3, 1, 0.1), 'bench.qwen3');
const rows = [
  await measure(
    'qwen3 4x256 (GQA 4/2, head_dim 64)',
    () => qwen.generate(ids, NEW),
    async (s) => (await qwen.topNext([s], 1))[0][0].id,
    ids,
  ),
];
qwen.destroy();
const gpt2 = new Gpt2Model(ctx, GPT2, randomGpt2Init(GPT2, 1), 'bench.gpt2');
const decoder = new Gpt2Decoder(ctx, gpt2, GPT2);
rows.push(
  await measure(
    'gpt2 4x256',
    () => decoder.generate(ids, NEW),
    async (s) => (await gpt2.topNext([s], 1))[0][0].id,
    ids,
  ),
);
decoder.destroy();
gpt2.destroy();

const slug = adapterSlug(ctx.adapter);
mkdirSync('bench/results', { recursive: true });
const out = `bench/results/kv-cache-${slug}.json`;
writeFileSync(
  out,
  JSON.stringify({ adapter: describeAdapter(ctx.adapter), date: new Date().toISOString(), rows }, null, 2) +
    '\n',
);
console.log(`wrote ${out}`);
