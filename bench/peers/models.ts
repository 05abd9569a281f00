// The peer benchmark's models and the engine's side of its scenarios, shared by the Chromium page
// (bench/peers/peers.ts) and by the Node runs (bench/peers/node-vs-chromium.ts, bench/latency.ts): same
// weights (seeded), same token ids, same timing code in both places.

import type { GpuContext } from '../../src/gpu/context.ts';
import type { Gpt2Checkpoint } from '../../src/model/checkpoint.ts';
import { GPT2_PRESETS } from '../../src/model/config.ts';
import { randomGpt2Init } from '../../src/model/gpt2/init.ts';
import { Gpt2Model } from '../../src/model/gpt2/model.ts';
import type { LanguageModel } from '../../src/model/language-model.ts';
import { llamaDims, type LlamaDims } from '../../src/model/llama/dims.ts';
import { randomLlamaInit } from '../../src/model/llama/init.ts';
import { LlamaModel } from '../../src/model/llama/model.ts';
import { gpt2Onnx } from '../../src/model/onnx/gpt2.ts';
import { llamaOnnx } from './qwen3-onnx.ts';

export type ModelName = 'fact-world' | 'gpt2-124m' | 'qwen3-small';
export type Scenario = 'prefill16' | 'prefill128' | 'decode';

/** What a runtime is fed: context, vocabulary and the KV cache's (kv heads, head_dim). */
export interface Shape {
  nPositions: number;
  vocabSize: number;
  nLayer: number;
  kvHeads: number;
  headDim: number;
}

/** A small Qwen3 (8 blocks, width 512, 8 query / 4 kv heads of 64, q/k norm, tied head, 16,384 ids; ~34M). */
export const QWEN3_SMALL: LlamaDims = llamaDims({
  architecture: 'qwen3',
  nLayer: 8,
  nEmbd: 512,
  nPositions: 512,
  vocabSize: 16384,
  nHead: 8,
  nKvHead: 4,
  headDim: 64,
  nInner: 1536,
  eps: 1e-6,
  ropeTheta: 1e6,
  tiedEmbeddings: true,
  attentionBias: 'none',
  qkNorm: true,
});

export interface BenchModel {
  model: LanguageModel;
  dims: Shape;
  /** The ONNX graph of the same weights (ours for GPT-2, the benchmark's own for Qwen3). */
  onnx: () => Uint8Array;
}

/** fact-world from `factWorld` (fetch in the page, files in Node); the others random with seed 1. */
export async function buildBenchModel(
  ctx: GpuContext,
  name: ModelName,
  factWorld: () => Promise<Gpt2Checkpoint>,
): Promise<BenchModel> {
  if (name === 'qwen3-small') {
    const d = QWEN3_SMALL;
    const weights = randomLlamaInit(d, 1);
    return {
      model: new LlamaModel(ctx, d, weights, name),
      dims: { ...d, kvHeads: d.nKvHead, headDim: d.headDim },
      onnx: () => llamaOnnx(d, weights),
    };
  }
  let d;
  let weights: Map<string, Float32Array>;
  if (name === 'fact-world') {
    const cp = await factWorld();
    d = cp.config;
    weights = cp.weights;
  } else if (name === 'gpt2-124m') {
    d = { ...GPT2_PRESETS.gpt2 };
    weights = randomGpt2Init(d, 1);
  } else throw new RangeError(`unknown benchmark model ${JSON.stringify(name)}`);
  return {
    model: new Gpt2Model(ctx, d, weights, name),
    dims: { ...d, kvHeads: d.nHead, headDim: d.nEmbd / d.nHead },
    onnx: () => gpt2Onnx(d, weights, { logits: 'last' }),
  };
}

export const benchIds = (T: number, V: number) => Array.from({ length: T }, (_, i) => (i * 7919 + 13) % V);

/** Tokens in a scenario's prompt (fact-world's context is 32, so its prefill128 is 32 tokens). */
export const promptLength = (d: Shape, scenario: Scenario) =>
  scenario === 'prefill128' ? Math.min(128, d.nPositions) : 16;

/** One timed run of a scenario on the engine: wall ms, the result read back to the CPU. */
export async function timeOurs(m: BenchModel, scenario: Scenario): Promise<number> {
  const tokens = benchIds(promptLength(m.dims, scenario), m.dims.vocabSize);
  if (scenario !== 'decode') {
    const t0 = performance.now();
    await m.model.nextTokenDistributions([tokens]);
    return performance.now() - t0;
  }
  // One decode step with the KV cache: generate(2) − generate(1) on the same prompt.
  const t0 = performance.now();
  await m.model.generate(tokens, 1);
  const t1 = performance.now();
  await m.model.generate(tokens, 2);
  const t2 = performance.now();
  return Math.max(0, t2 - t1 - (t1 - t0));
}
