// Engine benchmark: per-kernel ms and GFLOP/s for the forward of a 124M-parameter GPT-2-shaped model (random
// init) on 32 tokens, and for the editors' backward down to block 9. Writes bench/results/engine-<adapter>.json.
//
//   node --import ./bin/register.mjs bench/engine.ts            (EDITSCOPE_ADAPTER=swiftshader|lavapipe)

import { mkdirSync, writeFileSync } from 'node:fs';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { GpuContext } from '../src/gpu/context.ts';
import { acquireNodeDevice } from '../src/gpu/node.ts';
import { GpuProfiler, type KernelStat } from '../src/gpu/profiler.ts';
import { languageModelRows, makeBatch } from '../src/model/gpt2/batch.ts';
import { parameterCount, parameterShapes, type Gpt2Dims } from '../src/model/gpt2/dims.ts';
import { Gpt2Model } from '../src/model/gpt2/model.ts';

const GPT2_124M: Gpt2Dims = {
  nLayer: 12,
  nHead: 12,
  nEmbd: 768,
  nPositions: 1024,
  vocabSize: 50257,
  eps: 1e-5,
};
const TOKENS = 32;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

function randomWeights(d: Gpt2Dims): Map<string, Float32Array> {
  let s = 12345;
  const w = new Map<string, Float32Array>();
  for (const [name, shape] of parameterShapes(d)) {
    const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
    const isGain = name.endsWith('ln_1.weight') || name.endsWith('ln_2.weight') || name === 'ln_f.weight';
    for (let i = 0; i < a.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      a[i] = isGain ? 1 : (s / 2 ** 32 - 0.5) * 0.04;
    }
    w.set(name, a);
  }
  return w;
}

async function timed(
  ctx: GpuContext,
  run: () => Promise<unknown>,
): Promise<{ wallMs: number; kernels: KernelStat[] }> {
  await run(); // warm-up: pipelines compiled, buffers sized
  const profiler = new GpuProfiler(ctx.device);
  let wall = 0;
  for (let i = 0; i < REPEATS; i++) {
    ctx.profiler = null;
    const t0 = performance.now();
    await run();
    wall += performance.now() - t0;
  }
  ctx.profiler = profiler;
  for (let i = 0; i < REPEATS; i++) await run();
  ctx.profiler = null;
  const kernels = (await profiler.collect()).map((k) => ({
    ...k,
    ms: k.ms / REPEATS,
    flops: k.flops / REPEATS,
    dispatches: k.dispatches / REPEATS,
  }));
  return { wallMs: wall / REPEATS, kernels };
}

const ctx = new GpuContext(await acquireNodeDevice());
const adapter = describeAdapter(ctx.adapter);
console.log(`adapter: ${adapter}`);
const model = new Gpt2Model(ctx, GPT2_124M, randomWeights(GPT2_124M), 'bench');
const ids = Array.from({ length: TOKENS }, (_, i) => (i * 7919) % GPT2_124M.vocabSize);
const batch = makeBatch([ids], GPT2_124M.nPositions);
const rows = languageModelRows(batch);

const forward = await timed(ctx, () => model.run(batch, rows));
let captured = 0;
const backward = await timed(ctx, () =>
  model.run(batch, rows, { backward: { stopLayer: 9, stopAfterMlp: true, onLinear: () => captured++ } }),
);

const result = {
  adapter,
  adapterInfo: ctx.adapter,
  date: new Date().toISOString(),
  model: { ...GPT2_124M, parameters: parameterCount(GPT2_124M) },
  tokens: TOKENS,
  repeats: REPEATS,
  forward,
  backwardToBlock9: {
    note: 'forward + backward from the loss down to block 9 mlp.c_fc, capturing (u, δ) of every linear on the way, no dense weight gradients',
    ...backward,
  },
  command: 'node --import ./bin/register.mjs bench/engine.ts',
};
mkdirSync('bench/results', { recursive: true });
const slug = ctx.adapter.isCpu
  ? adapter.toLowerCase().includes('swiftshader')
    ? 'swiftshader'
    : 'lavapipe'
  : 'gpu';
const file = `bench/results/engine-${slug}.json`;
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
for (const [name, r] of [
  ['forward', forward],
  ['backward to block 9', backward],
] as const) {
  console.log(`\n${name}: ${r.wallMs.toFixed(0)} ms wall`);
  for (const k of r.kernels)
    console.log(
      `  ${k.kernel.padEnd(14)} ${k.ms.toFixed(1).padStart(8)} ms  ${k.gflops.toFixed(2).padStart(6)} GFLOP/s  (${k.dispatches} dispatches)`,
    );
}
console.log(`\nwrote ${file} (${captured / (REPEATS * 2 + 1)} linears captured per backward)`);
model.destroy();
ctx.destroy();
