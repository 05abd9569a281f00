// What edits as side-car factors cost per forward: wall and CPU time of a forward (next-token prediction of 4
// prompts, the head on their last rows) with 0, 1, 10 and 100 applied patches of rank 4 on the MLP down projection of the middle
// block (ROME's and FT-L's layer; PatchStack concatenates them into one factor pair of rank 4·n), on the
// fact-world model (public/models/fact-world) and a random 124M GPT-2 (`editscope init --config gpt2` shape).
// Also one FT-L-style dense delta on the same layer. Writes bench/results/sidecar-<adapter>.json.
//
//   node --import ./bin/register.mjs bench/sidecar.ts     (EDITSCOPE_ADAPTER=swiftshader|lavapipe)
//   BENCH_REPEATS=N forwards per timing (default 3), BENCH_ROUNDS=N rounds (default 3; the median is kept),
//   BENCH_SKIP_124M=1 to time the fact-world model only, BENCH_SKIP_FACT_WORLD=1 for the 124M model only.

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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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

/** One configuration of the stack: n low-rank patches, or (dense) one FT-L-style dense delta. */
interface Config {
  patches: number;
  dense: boolean;
}

const CONFIGS: Config[] = [...COUNTS.map((n) => ({ patches: n, dense: false })), { patches: 1, dense: true }];

/** Wall and process CPU time (all threads: SwiftShader's workers run in this process) of one forward, in ms. */
async function timeForwards(model: LanguageModel): Promise<{ wall: number; cpu: number }> {
  await model.topNext(PROMPTS, 10); // warm-up: pipelines, buffers, the rebuilt side-car terms
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < REPEATS; i++) await model.topNext(PROMPTS, 10);
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / REPEATS, cpu: (c.user + c.system) / 1000 / REPEATS };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Multiply-adds of one forward over `tokens` rows, from the shapes: every linear, attention's two products,
 * the head on the rows that need it (one per prompt); norms and activations are left out (they are O(C)).
 */
function forwardMacs(model: LanguageModel, tokens: number, T: number, headRows: number): number {
  const d = model.dims;
  const linears = model.linears.reduce((s, l) => s + l.nIn * l.nOut, 0) * tokens;
  const attention = d.nLayer * 2 * d.nHead * d.headDim * T * tokens; // QKᵀ and AV over ≤ T keys
  return linears + attention + headRows * d.nEmbd * d.vocabSize;
}

/**
 * The configurations are timed in ROUNDS rounds, each running every configuration once (in a rotated order),
 * and the median of the rounds is kept: on a shared CPU the load drifts over minutes, and timing one
 * configuration after another would turn that drift into a fake overhead (or a fake speed-up).
 */
async function measure(name: string, model: LanguageModel) {
  const stack = new PatchStack(model);
  const block = Math.floor((model.dims.nLayer - 1) / 2);
  const samples = CONFIGS.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < CONFIGS.length; j++) {
      const i = (j + round) % CONFIGS.length;
      const c = CONFIGS[i];
      stack.reset();
      for (let k = 0; k < c.patches; k++) stack.apply(patch(model, k, c.dense));
      const t = await timeForwards(model);
      samples[i].wall.push(t.wall);
      samples[i].cpu.push(t.cpu);
      console.log(
        `${name} round ${round + 1}: ${c.dense ? '1 dense delta' : `${c.patches} rank-${RANK} patches`} → ` +
          `forward ${t.wall.toFixed(1)} ms wall, ${t.cpu.toFixed(1)} ms CPU`,
      );
    }
  }
  stack.destroy();
  const tokens = PROMPTS.length * PROMPTS[0].length;
  const base = forwardMacs(model, tokens, PROMPTS[0].length, PROMPTS.length);
  const { nIn, nOut } = model.linear(block, 'mlp.down');
  const rows = CONFIGS.map((c, i) => {
    const rank = c.dense ? 0 : c.patches * RANK;
    // y += (x·leftᵀ)·right: rank·(nIn + nOut) per row; a dense delta is one more nIn×nOut product.
    const extra = c.dense ? nIn * nOut * tokens : rank * (nIn + nOut) * tokens;
    return {
      patches: c.patches,
      totalRank: rank,
      dense: c.dense,
      forwardMs: median(samples[i].wall),
      forwardCpuMs: median(samples[i].cpu),
      wallMsPerRound: samples[i].wall.map((x) => Math.round(x * 10) / 10),
      extraMacsPct: Math.round((1000 * extra) / base) / 10,
    };
  });
  const pct = (x: number, b: number) => Math.round(1000 * (x / b - 1)) / 10;
  return {
    model: name,
    parameters: model.parameterCount,
    layer: { block, role: 'mlp.down' },
    forwardMacs: base,
    rows: rows.map((r) => ({
      ...r,
      overheadPct: pct(r.forwardMs, rows[0].forwardMs),
      cpuOverheadPct: pct(r.forwardCpuMs, rows[0].forwardCpuMs),
    })),
  };
}

const ctx = new GpuContext(await acquireNodeDevice());
const adapter = describeAdapter(ctx.adapter);
console.log(`adapter: ${adapter}`);
const results = [];
if (!process.env.BENCH_SKIP_FACT_WORLD) {
  const factWorld = await readModelCheckpointDir('public/models/fact-world');
  const fw = createLanguageModel(ctx, factWorld, 'fact-world');
  results.push(await measure('fact-world (public/models/fact-world)', fw));
  fw.destroy();
}
if (!process.env.BENCH_SKIP_124M) {
  const cfg = GPT2_PRESETS.gpt2;
  const big = new Gpt2Model(ctx, cfg, randomGpt2Init(cfg, 1), 'gpt2-124m');
  results.push(await measure('random 124M GPT-2 (init --config gpt2)', big));
  big.destroy();
}
const out = {
  what: `forward time (topNext, ${PROMPTS.length} prompts × 16 tokens, top-10) with side-car patches on the middle block's mlp.down: median over rounds of wall ms and process CPU ms per forward; extraMacsPct is the side-car's share of the forward's multiply-adds by arithmetic`,
  adapter,
  repeats: REPEATS,
  rounds: ROUNDS,
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
