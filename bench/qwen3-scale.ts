// Scale check (issue 10): a full-size Qwen3-1.7B config (hidden 2048, 28 layers, 16 heads, 8 KV heads, head_dim 128,
// intermediate 6144, vocab 151,936, tied) with random weights generated tensor by tensor and quantized on load
// (default int4: linears q4_0, the tied embedding/head q8_0; src/model/factory.ts weightPlan). Nothing is ever
// whole in f32: each tensor is generated, packed on the CPU and uploaded before the next (the embedding in row
// chunks), so no 6.8 GB file or array exists. Measures the GPU bytes allocated, the load time, one forward on 16
// tokens and one IBKE-style capture pass (forward + backward from a target's loss down to the edited block,
// keeping a copy of that block's mlp.down (u, δ)), and writes bench/results/qwen3-scale-<adapter>.json after each
// phase (a run cut short still reports what it measured). Every buffer fits SwiftShader's 1 GiB per binding in
// int4/int8 (the largest is the 315 MiB q8_0 embedding), so nothing needs splitting.
//
// `--once` times one forward and one capture pass instead of a first and a second each (on a loaded CPU a 1.7B
// forward takes 10-25 min). The file's previous run is kept under `earlierRuns`, so a shorter run never erases
// numbers an earlier one measured.
//
// `--size 0.6b` runs Qwen3-0.6B's own config instead (issue 9's scale check, e.g. with --dtype f16); its results
// file is named for that size.
//
//   EDITSCOPE_ADAPTER=swiftshader nice node --import ./bin/register.mjs bench/qwen3-scale.ts [--dtype int4] [--block 14] [--size 0.6b]

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { GpuContext } from '../src/gpu/context.ts';
import { acquireNodeDevice } from '../src/gpu/node.ts';
import { makeBatch } from '../src/model/batch.ts';
import { parseModelConfig } from '../src/model/config.ts';
import { loadLanguageModel, weightPlan } from '../src/model/factory.ts';
import { llamaParameterCount, type LlamaConfig } from '../src/model/llama-config.ts';
import { QWEN3_0_6B_CONFIG_JSON, QWEN3_1_7B } from '../src/model/llama-testing.ts';
import { parseWeightDtype, WEIGHT_DTYPES } from '../src/model/quant/apply.ts';
import { planBytes, type SourceTensor, type TensorPlanEntry } from '../src/model/quant/load.ts';
import { storageMatrix } from '../src/model/quant/tensors.ts';
import { packWeightChunked } from '../src/reference/quant.ts';
import { uniformArray } from '../src/util/random.ts';
import { adapterSlug } from './adapter-slug.ts';

const { values } = parseArgs({
  options: {
    block: { type: 'string' },
    dtype: { type: 'string' },
    layers: { type: 'string' },
    once: { type: 'boolean' },
    size: { type: 'string' },
  },
});
const size = values.size ?? '1.7b';
if (size !== '1.7b' && size !== '0.6b') throw new Error(`--size ${size}: use 1.7b or 0.6b.`);
const dtype = parseWeightDtype(values.dtype ?? 'int4');
const TOKENS = 16;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
const log = (s: string) => process.stderr.write(`[qwen3-scale] ${s}\n`);

/**
 * Random weights without 1.7 G calls of a PRNG: one seeded block of 2^20 values in ±0.02, tiled at a
 * tensor-dependent offset; norm gains 1. Enough for a timing and memory check, where values only need to stay
 * finite. A tensor wider than CHUNK rows is produced (and packed) in row chunks.
 */
const BLOCK = uniformArray(1 << 20, 7, 0.02);
function tiled(i: number, start: number, n: number): Float32Array {
  const out = new Float32Array(n);
  let off = (i * 7919 + start) % BLOCK.length;
  for (let at = 0; at < n;) {
    const take = Math.min(BLOCK.length - off, n - at);
    out.set(BLOCK.subarray(off, off + take), at);
    at += take;
    off = 0;
  }
  return out;
}
const CHUNK = 4096;
function* randomTensors(plan: readonly TensorPlanEntry[]): Iterable<SourceTensor> {
  for (const [i, t] of plan.entries()) {
    const [rows, cols] = storageMatrix(t.shape);
    if (/norm\.weight$/.test(t.name)) yield { name: t.name, data: new Float32Array(rows * cols).fill(1) };
    else if (t.format === 'f32' || rows <= CHUNK) yield { name: t.name, data: tiled(i, 0, rows * cols) };
    else
      yield {
        name: t.name,
        data: packWeightChunked(
          rows,
          cols,
          t.format,
          (r0, r1) => tiled(i, r0 * cols, (r1 - r0) * cols),
          CHUNK,
        ),
      };
  }
}

const ctx = new GpuContext(await acquireNodeDevice());
const adapter = describeAdapter(ctx.adapter);
log(`adapter: ${adapter}`);
const snapshot = (base: number) => ({
  gpuBytes: ctx.bytesCreated - base,
  gpuMiB: +((ctx.bytesCreated - base) / MiB).toFixed(1),
  buffers: ctx.buffersCreated,
});
const rssMiB = () => +(process.memoryUsage().rss / MiB).toFixed(0);

const base = parseModelConfig(QWEN3_0_6B_CONFIG_JSON, 'Qwen3-0.6B config.json') as LlamaConfig;
// --layers N: a shallower smoke run of the same widths (its results name the layer count).
const shape = size === '1.7b' ? { ...base, ...QWEN3_1_7B } : base;
const config: LlamaConfig = { ...shape, nLayer: Number(values.layers ?? shape.nLayer) };
const block = Number(values.block ?? Math.floor(config.nLayer / 2));
const plan = weightPlan(config, dtype);
const sizeTag = size === '1.7b' ? '' : `-${size}`;
const file = `bench/results/qwen3-scale${sizeTag}-${adapterSlug(ctx.adapter)}${values.layers ? `-${config.nLayer}layers` : ''}.json`;
const common = {
  adapter,
  adapterInfo: ctx.adapter,
  command: `EDITSCOPE_ADAPTER=<adapter> nice node --import ./bin/register.mjs bench/qwen3-scale.ts --dtype ${dtype} --size ${size}${values.once ? ' --once' : ''}`,
  model: {
    name:
      (size === '1.7b'
        ? 'Qwen3-1.7B shape (Qwen3-0.6B config.json widened to 1.7B)'
        : 'Qwen3-0.6B (its config.json)') +
      ', random weights (a seeded ±0.02 block tiled per tensor, norm gains 1)',
    parameters: llamaParameterCount(config),
    config: { ...config },
  },
  dtype,
  formats: Object.fromEntries(
    [...new Set(plan.map((t) => t.format))].map((f) => [f, plan.filter((t) => t.format === f).length]),
  ),
  tokens: TOKENS,
  editedBlock: block,
  // Exact parameter bytes of every dtype's plan (the same code that sizes the buffers).
  parameterMiBByDtype: Object.fromEntries(
    WEIGHT_DTYPES.map((d) => [d, +(planBytes(weightPlan(config, d)) / MiB).toFixed(1)]),
  ),
};
const wallMs: Record<string, number> = {};
const gpu: Record<string, unknown> = {};
// Earlier runs of this file: the previous top-level result (minus its own history) joins its earlierRuns.
const earlierRuns: unknown[] = [];
if (existsSync(file)) {
  const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const { earlierRuns: older, adapterInfo: _info, model: _model, ...rest } = old;
  earlierRuns.push(rest, ...(Array.isArray(older) ? older : []));
}
const write = (status: string, extra: object = {}) => {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      {
        ...common,
        date: new Date().toISOString(),
        status,
        wallMs,
        gpu,
        hostRssMiB: rssMiB(),
        ...extra,
        earlierRuns,
      },
      null,
      2,
    ) + '\n',
  );
};

const before = ctx.bytesCreated;
let peakRss = 0;
const t0 = performance.now();
const { model, gpuWeightBytes } = await loadLanguageModel(ctx, config, randomTensors(plan), {
  dtype,
  label: `qwen3-${size}`,
  fileName: `random Qwen3-${size.toUpperCase()} weights`,
  onProgress: (p) => {
    peakRss = Math.max(peakRss, rssMiB());
    if (p.done % 40 === 0 || p.done === p.total)
      log(
        `tensor ${p.done}/${p.total}: ${(p.gpuBytes / MiB).toFixed(0)} MiB on the GPU, host RSS ${rssMiB()} MiB`,
      );
  },
});
wallMs.generatePackUpload = +(performance.now() - t0).toFixed(0);
gpu.parameterBytes = gpuWeightBytes;
gpu.afterLoad = snapshot(before);
write('loaded; forward not finished', { hostPeakRssMiBDuringLoad: peakRss });
log(
  `loaded in ${(wallMs.generatePackUpload / 1000).toFixed(1)} s: ${(gpuWeightBytes / MiB).toFixed(0)} MiB of parameters`,
);

const ids = Array.from({ length: TOKENS }, (_, i) => (i * 7919 + 13) % config.vocabSize);
const batch = makeBatch([ids], config.nPositions);
const timedMs = async (run: () => Promise<unknown>) => {
  const t = performance.now();
  await run();
  return +(performance.now() - t).toFixed(0);
};
const forward = () => model.run(batch, [{ row: TOKENS - 1, target: 0, weight: 0 }], { readProbs: true });
const tf = performance.now();
let out = await forward();
wallMs.forwardFirst = +(performance.now() - tf).toFixed(0);
if (!values.once) {
  wallMs.forward = await timedMs(forward);
  out = await forward();
}
const probs = out.probs!;
let psum = 0;
for (const p of probs) psum += p;
if (!(Math.abs(psum - 1) < 1e-3)) throw new Error(`The forward's probabilities sum to ${psum}, not 1.`);
gpu.afterForward = snapshot(before);
write('forward done; capture pass not finished', { hostPeakRssMiBDuringLoad: peakRss });
log(`forward on ${TOKENS} tokens: first ${wallMs.forwardFirst} ms, then ${wallMs.forward ?? '-'} ms`);

// IBKE-style capture: one target token's loss at the last position, backward down to `block`'s MLP, and a copy
// of (u, δ) of its mlp.down (IBKE's editor input), as src/editors/hyper/capture.ts keeps them.
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
wallMs.capturePassFirst = await timedMs(capture);
if (!values.once) wallMs.capturePass = await timedMs(capture);
const delta = await ctx.read(keptDelta, (TOKENS - 1) * spec.nOut * 4, spec.nOut * 4);
const deltaNorm = Math.hypot(...delta);
gpu.afterCapture = snapshot(before);
log(
  `capture pass to block ${block}: first ${wallMs.capturePassFirst} ms, then ${wallMs.capturePass ?? '-'} ms; |δ| = ${deltaNorm.toExponential(2)}`,
);
if (captured !== (values.once ? 1 : 2) || !(deltaNorm > 0) || !Number.isFinite(deltaNorm))
  throw new Error(`The capture pass did not produce a usable δ (captured ${captured}, |δ| ${deltaNorm}).`);

// What a 4 GiB adapter holds: each dtype's exact parameter bytes plus the activations/scratch measured here.
const total = (gpu.afterCapture as { gpuBytes: number }).gpuBytes;
const activations = total - gpuWeightBytes;
const fits4GiB = Object.fromEntries(
  WEIGHT_DTYPES.map((d) => {
    const bytes = planBytes(weightPlan(config, d)) + activations;
    return [d, { totalMiB: +(bytes / MiB).toFixed(0), fits: bytes <= 4 * GiB }];
  }),
);
write('complete', {
  hostPeakRssMiBDuringLoad: peakRss,
  captureDeltaNorm: deltaNorm,
  activationAndScratchMiB: +(activations / MiB).toFixed(1),
  targetMet: { limitMiB: (1.4e9 / MiB).toFixed(0), totalMiB: +(total / MiB).toFixed(1), met: total <= 1.4e9 },
  fourGiBAdapter: {
    method:
      "each dtype's exact parameter bytes (weightPlan) + the activation and scratch bytes measured in this run",
    ...fits4GiB,
  },
});
log(`wrote ${file}: ${(total / MiB).toFixed(0)} MiB allocated in all`);
model.destroy();
ctx.destroy();
