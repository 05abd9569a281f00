// Scale check: a full-size Qwen3-0.6B (its published config.json: hidden 1024, 28 layers, 16 heads, 8 KV heads,
// head_dim 128, intermediate 3072, vocab 151,936, tied) with random f32 weights loads through the factory
// (src/model/factory.ts -> LlamaModel), runs a forward on 16 tokens, and one IBKE-style capture pass: forward +
// backward from the target's loss down to the edited block, keeping a copy of (u, δ) of that block's mlp.down
// as IBKE's editor reads them. Writes wall times and the GPU bytes allocated to
// bench/results/qwen3-scale-<adapter>.json, with the projection for Qwen3-1.7B.
//
//   nice node --import ./bin/register.mjs bench/qwen3-scale.ts [--block 14]   (EDITSCOPE_ADAPTER=swiftshader)
//
// Needs ~6 GB of host memory on a CPU adapter (the weights in JS while uploading, and the adapter's copy).

import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { GpuContext } from '../src/gpu/context.ts';
import { acquireNodeDevice } from '../src/gpu/node.ts';
import { makeBatch } from '../src/model/batch.ts';
import { parseModelConfig } from '../src/model/config.ts';
import { checkModelFitsAdapter, createLanguageModel } from '../src/model/factory.ts';
import { llamaParameterCount, type LlamaConfig } from '../src/model/llama-config.ts';
import { llamaParameterShapes } from '../src/model/llama-layout.ts';
import { QWEN3_0_6B_CONFIG_JSON, QWEN3_1_7B, randomLlamaWeights } from '../src/model/llama-testing.ts';
import { adapterSlug } from './adapter-slug.ts';

/**
 * Random weights without 596M calls of a PRNG (minutes on a busy 2-core machine): one seeded block of 2^20
 * values per tensor kind, tiled at a tensor-dependent offset. Uniform ±0.02, norm gains 1: enough for a
 * timing and memory check, where the values only need to stay finite.
 */
function tiledRandomWeights(c: LlamaConfig): Map<string, Float32Array> {
  const block = randomLlamaWeights({ ...c, nLayer: 1, vocabSize: 1024 }, 1, 0.02).get(
    'model.embed_tokens.weight',
  )!;
  const weights = new Map<string, Float32Array>();
  llamaParameterShapes(c).forEach(({ name, shape }, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    if (/norm\.weight$/.test(name)) out.fill(1);
    else
      for (let at = 0, off = (i * 7919) % block.length; at < n; at += block.length - off, off = 0)
        out.set(block.subarray(off, Math.min(block.length, off + n - at)), at);
    weights.set(name, out);
  });
  return weights;
}

const { values } = parseArgs({ options: { block: { type: 'string' } } });
const TOKENS = 16;
const MiB = 2 ** 20;

const ctx = new GpuContext(await acquireNodeDevice());
const adapter = describeAdapter(ctx.adapter);
console.log(`adapter: ${adapter}`);

// Count every storage buffer the engine allocates through the context (parameters, activations, scratch).
let gpuBytes = 0;
let buffers = 0;
const allocate = ctx.buffer.bind(ctx);
ctx.buffer = (label, bytes, usage) => {
  const buffer = allocate(label, bytes, usage);
  gpuBytes += buffer.size;
  buffers++;
  return buffer;
};
const snapshot = () => ({ gpuBytes, gpuMiB: +(gpuBytes / MiB).toFixed(1), buffers });
const rssMiB = () => +(process.memoryUsage().rss / MiB).toFixed(0);

const config = parseModelConfig(QWEN3_0_6B_CONFIG_JSON, 'Qwen3-0.6B config.json') as LlamaConfig;
const block = Number(values.block ?? Math.floor(config.nLayer / 2));
const t0 = performance.now();
let weights: Map<string, Float32Array> | null = tiledRandomWeights(config);
const tWeights = performance.now();
const model = createLanguageModel(ctx, { config, weights }, 'qwen3-0.6b');
weights = null; // the GPU holds them now
ctx.flush();
const tLoad = performance.now();
const afterLoad = snapshot();
// Written after each phase, so a run cut short (a CPU adapter on a busy machine) still reports what it measured.
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/qwen3-scale-${adapterSlug(ctx.adapter)}.json`;
const partial = (status: string, extra: object) =>
  writeFileSync(
    file,
    JSON.stringify(
      { adapter, date: new Date().toISOString(), status, parameters: llamaParameterCount(config), ...extra },
      null,
      2,
    ) + '\n',
  );
partial('loaded; forward not finished', {
  wallMs: { generateWeights: +(tWeights - t0).toFixed(0), load: +(tLoad - tWeights).toFixed(0) },
  gpu: { afterLoad },
  hostRssMiB: rssMiB(),
});
console.log(
  `weights generated in ${((tWeights - t0) / 1000).toFixed(1)} s, uploaded in ${((tLoad - tWeights) / 1000).toFixed(1)} s: ${afterLoad.gpuMiB} MiB`,
);

const ids = Array.from({ length: TOKENS }, (_, i) => (i * 7919 + 13) % config.vocabSize);
const batch = makeBatch([ids], config.nPositions);
const last = { row: TOKENS - 1, target: 0, weight: 0 };

const timedMs = async (run: () => Promise<unknown>) => {
  const t = performance.now();
  await run();
  return +(performance.now() - t).toFixed(0);
};
const forwardFirstMs = await timedMs(() => model.run(batch, [last]));
const forwardMs = await timedMs(() => model.run(batch, [last]));
const afterForward = snapshot();
console.log(`forward on ${TOKENS} tokens: first ${forwardFirstMs} ms, then ${forwardMs} ms`);
partial('forward done; capture pass not finished', {
  wallMs: {
    generateWeights: +(tWeights - t0).toFixed(0),
    load: +(tLoad - tWeights).toFixed(0),
    forwardFirst: forwardFirstMs,
    forward: forwardMs,
  },
  gpu: { afterLoad, afterForward },
  hostRssMiB: rssMiB(),
});

// IBKE-style capture: the loss of one target token at the last position, backward down to `block`'s MLP, and a
// copy of (u, δ) of its mlp.down (IBKE's editor input), as src/editors/hyper/capture.ts keeps them.
const spec = model.linear(block, 'mlp.down');
const keptU = ctx.buffer('bench.u', TOKENS * spec.nIn * 4);
const keptDelta = ctx.buffer('bench.delta', TOKENS * spec.nOut * 4);
let captured = 0;
const capture = () =>
  model.run(batch, [{ row: TOKENS - 1, target: 42, weight: 1 }], {
    backward: {
      stopLayer: block,
      stopAfterMlp: true,
      onLinear: (b, role, u, delta) => {
        if (b !== block || role !== 'mlp.down') return;
        ctx.copy(u, 0, keptU, 0, TOKENS * spec.nIn * 4);
        ctx.copy(delta, 0, keptDelta, 0, TOKENS * spec.nOut * 4);
        captured++;
      },
    },
  });
const captureFirstMs = await timedMs(capture);
const captureMs = await timedMs(capture);
const delta = await ctx.read(keptDelta, (TOKENS - 1) * spec.nOut * 4, spec.nOut * 4);
const deltaNorm = Math.hypot(...delta);
const afterCapture = snapshot();
console.log(
  `capture pass to block ${block}: first ${captureFirstMs} ms, then ${captureMs} ms; |δ| = ${deltaNorm.toExponential(2)}`,
);
if (captured !== 2 || !(deltaNorm > 0) || !Number.isFinite(deltaNorm)) {
  throw new Error(`The capture pass did not produce a usable δ (captured ${captured}, |δ| ${deltaNorm}).`);
}

// Projection for Qwen3-1.7B: f32 parameters scale with the parameter count; activations and scratch with the
// width (measured here for 0.6B at 16 tokens, scaled by hidden and intermediate size).
const big: LlamaConfig = { ...config, ...QWEN3_1_7B };
const bigParams = llamaParameterCount(big);
const activations = afterCapture.gpuBytes - afterLoad.gpuBytes;
const widthScale = (big.nEmbd + big.nInner) / (config.nEmbd + config.nInner);
const projectedF32 = bigParams * 4 + activations * widthScale;
let bigFits = 'yes';
try {
  checkModelFitsAdapter(big, ctx.device.limits);
} catch (e) {
  bigFits = (e as Error).message;
}

const result = {
  adapter,
  adapterInfo: ctx.adapter,
  date: new Date().toISOString(),
  command: 'nice node --import ./bin/register.mjs bench/qwen3-scale.ts',
  model: {
    name: 'Qwen3-0.6B shape, random f32 weights (a seeded uniform ±0.02 block tiled per tensor, norm gains 1)',
    parameters: llamaParameterCount(config),
    config: { ...config },
  },
  tokens: TOKENS,
  editedBlock: block,
  wallMs: {
    generateWeights: +(tWeights - t0).toFixed(0),
    load: +(tLoad - tWeights).toFixed(0),
    forwardFirst: forwardFirstMs,
    forward: forwardMs,
    capturePassFirst: captureFirstMs,
    capturePass: captureMs,
  },
  gpu: { afterLoad, afterForward, afterCapture },
  hostRssMiB: rssMiB(),
  projectionQwen3_1_7B: {
    parameters: bigParams,
    f32WeightsMiB: +((bigParams * 4) / MiB).toFixed(0),
    f16WeightsMiB: +((bigParams * 2) / MiB).toFixed(0),
    projectedF32TotalMiB: +(projectedF32 / MiB).toFixed(0),
    method:
      'f32 parameter bytes + the activation/scratch bytes measured here, scaled by (hidden + intermediate)',
    fitsThisAdapterPerBuffer: bigFits,
  },
};
writeFileSync(file, JSON.stringify({ ...result, status: 'complete' }, null, 2) + '\n');
console.log(`wrote ${file}`);
model.destroy();
ctx.destroy();
