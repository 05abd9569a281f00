// What edits as side-car factors cost per forward: wall time of a forward (next-token prediction, every row
// through the head) with 0, 1, 10 and 100 applied patches of rank 4 on the MLP down projection of the middle
// block (ROME's and FT-L's layer; PatchStack concatenates them into one factor pair of rank 4·n), on the
// fact-world model (public/models/fact-world) and a random 124M GPT-2 (`editscope init --config gpt2` shape).
// Also one FT-L-style dense delta on the same layer. Writes bench/results/sidecar-<adapter>.json.
//
//   node --import ./bin/register.mjs bench/sidecar.ts     (EDITSCOPE_ADAPTER=swiftshader|lavapipe)
//   BENCH_REPEATS=N (default 3), BENCH_SKIP_124M=1 to time the fact-world model only.

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { GpuContext } from '../src/gpu/context.ts';
import { acquireNodeDevice } from '../src/gpu/node.ts';
import { PatchStack } from '../src/editors/patches.ts';
import type { Patch, WeightDelta } from '../src/editors/types.ts';
import { readModelCheckpointDir } from '../src/model/checkpoint-node.ts';
import { createLanguageModel } from '../src/model/factory.ts';
import { GPT2_PRESETS } from '../src/model/config.ts';
import { randomGpt2Init } from '../src/model/gpt2/init.ts';
import { Gpt2Model } from '../src/model/gpt2/model.ts';
import type { LanguageModel } from '../src/model/language-model.ts';
import { uniformArray } from '../src/util/random.ts';
import { adapterSlug } from './adapter-slug.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const RANK = 4;
const COUNTS = [0, 1, 10, 100];
/** 4 prompts of 16 tokens: a typical probe set of one edit. */
const PROMPTS = Array.from({ length: 4 }, (_, b) =>
  Array.from({ length: 16 }, (_, t) => (b * 31 + t * 7) % 200),
);

function patch(model: LanguageModel, i: number, dense: boolean): Patch {
  const block = Math.floor((model.dims.nLayer - 1) / 2);
  const { param, nIn, nOut } = model.linear(block, 'mlp.down');
  const delta: WeightDelta = dense
    ? {
        block,
        role: 'mlp.down',
        param,
        nIn,
        nOut,
        rank: 0,
        left: new Float32Array(0),
        right: new Float32Array(0),
        dense: uniformArray(nIn * nOut, 1000 + i, 1e-3),
      }
    : {
        block,
        role: 'mlp.down',
        param,
        nIn,
        nOut,
        rank: RANK,
        left: uniformArray(RANK * nIn, 2 * i + 1, 1e-2),
        right: uniformArray(RANK * nOut, 2 * i + 2, 1e-2),
      };
  return {
    id: `p${i}`,
    method: dense ? 'ft' : 'rome',
    request: { prompt: '', subject: '', target: '' },
    deltas: [delta],
    info: {},
  };
}

async function forwardMs(model: LanguageModel): Promise<number> {
  await model.topNext(PROMPTS, 10); // warm-up: pipelines and buffers
  const t0 = performance.now();
  for (let i = 0; i < REPEATS; i++) await model.topNext(PROMPTS, 10);
  return (performance.now() - t0) / REPEATS;
}

async function measure(name: string, model: LanguageModel) {
  const stack = new PatchStack(model);
  const rows: { patches: number; totalRank: number; dense: boolean; forwardMs: number }[] = [];
  let applied = 0;
  for (const n of COUNTS) {
    while (applied < n) stack.apply(patch(model, applied++, false));
    const ms = await forwardMs(model);
    rows.push({ patches: n, totalRank: n * RANK, dense: false, forwardMs: ms });
    console.log(`${name}: ${n} rank-${RANK} patches → forward ${ms.toFixed(1)} ms`);
  }
  stack.reset();
  stack.apply(patch(model, 0, true));
  const denseMs = await forwardMs(model);
  rows.push({ patches: 1, totalRank: 0, dense: true, forwardMs: denseMs });
  console.log(`${name}: 1 dense delta → forward ${denseMs.toFixed(1)} ms`);
  stack.destroy();
  const base = rows[0].forwardMs;
  return {
    model: name,
    parameters: model.parameterCount,
    layer: { block: Math.floor((model.dims.nLayer - 1) / 2), role: 'mlp.down' },
    rows: rows.map((r) => ({ ...r, overheadPct: Math.round(1000 * (r.forwardMs / base - 1)) / 10 })),
  };
}

const ctx = new GpuContext(await acquireNodeDevice());
const adapter = describeAdapter(ctx.adapter);
console.log(`adapter: ${adapter}`);
const results = [];
const factWorld = await readModelCheckpointDir('public/models/fact-world');
const fw = createLanguageModel(ctx, factWorld, 'fact-world');
results.push(await measure('fact-world (public/models/fact-world)', fw));
fw.destroy();
if (!process.env.BENCH_SKIP_124M) {
  const cfg = GPT2_PRESETS.gpt2;
  const big = new Gpt2Model(ctx, cfg, randomGpt2Init(cfg, 1), 'gpt2-124m');
  results.push(await measure('random 124M GPT-2 (init --config gpt2)', big));
  big.destroy();
}
const out = {
  what: `forward wall time (topNext, ${PROMPTS.length} prompts × 16 tokens, top-10) with side-car patches on the middle block's mlp.down`,
  adapter,
  repeats: REPEATS,
  /** The machine's 1/5/15-minute load averages at the end: on a shared CPU the timings carry that noise. */
  loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
  rerun: 'node --import ./bin/register.mjs bench/sidecar.ts',
  date: new Date().toISOString(),
  results,
};
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/sidecar-${adapterSlug(ctx.adapter)}.json`;
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${file}`);
ctx.destroy();
