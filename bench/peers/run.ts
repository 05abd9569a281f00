// npm run bench:peers — our engine against onnxruntime-web (WebGPU EP and wasm EP) in one headless Chromium
// page, on the same weights (ONNX from our exporter) and token ids. Builds the pages (vite), serves them with
// COOP/COEP (so the wasm EP may use threads), and for every model x scenario runs each runtime once to warm up,
// then BENCH_ROUNDS rounds in a rotating order. Writes medians and per-round ratios ours/peer (ratio < 1: we
// are faster) to bench/results/peers-<adapter>.json.
//
//   BENCH_MODELS=fact-world,gpt2-124m,qwen3-small BENCH_ROUNDS=5 BENCH_THREADS=2 npm run bench:peers
//   (BENCH_NO_BUILD=1 reuses the last build; CHROMIUM_PATH, BENCH_CHROMIUM_ARGS for a GPU machine;
//   BENCH_SCENARIOS=prefill16,decode for a subset). Models measured in an earlier run on the same adapter stay
//   in the file (each with its own date), so a slow model can be run on its own, time-boxed.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { CHROMIUM, median, openPeersPage, slugOf } from './page.ts';

const MODELS = (process.env.BENCH_MODELS ?? 'fact-world,gpt2-124m,qwen3-small').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const THREADS = Number(process.env.BENCH_THREADS ?? Math.min(4, cpus().length));
const ALL_SCENARIOS = ['prefill16', 'prefill128', 'decode'] as const;
const SCENARIOS = ALL_SCENARIOS.filter((s) =>
  (process.env.BENCH_SCENARIOS ?? ALL_SCENARIOS.join(',')).split(',').includes(s),
);
const PEERS = ['ours', 'ortWebgpu', 'ortWasm'] as const;

const { browser, call, close } = await openPeersPage();

let adapter = 'unknown';
const models: Record<string, unknown> = {};
let failure: string | null = null;

/** Written after every scenario, so a crashed page still leaves what was measured. */
function writeResults(): string {
  const slug = slugOf(adapter);
  const file = `bench/results/peers-${slug}.json`;
  // Keep the other models of an earlier run on this adapter (each entry has its own date).
  let earlier: Record<string, unknown> = {};
  try {
    const old = JSON.parse(readFileSync(file, 'utf8')) as {
      adapter?: string;
      models?: Record<string, unknown>;
    };
    if (old.adapter === adapter && old.models) earlier = old.models;
  } catch {
    // no earlier file, or not JSON: start afresh
  }
  const result = {
    adapter,
    browser: `${browser.version()} (${CHROMIUM})`,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, loadavg: loadavg() },
    rounds: ROUNDS,
    wasmThreads: THREADS,
    note:
      'wall ms per run with the result read back; ratio = ours / peer per round (below 1: the engine is faster). ' +
      'prefillT: min(T, context) tokens, last position distribution; decode: one token after 16 with a KV cache (ours = generate(2) - generate(1)). ' +
      'ORT sessions from our own exporter (src/model/onnx), logits of the last position only.',
    ...(failure ? { failure } : {}),
    models: { ...earlier, ...models },
    command: 'BENCH_MODELS=<models> npm run bench:peers',
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

for (const name of MODELS) {
  console.log(`\n${name}: loading into the engine and two ONNX Runtime sessions ...`);
  const info = await call('setup', name, THREADS);
  adapter = info.adapter;
  const scenarios: Record<string, unknown> = {};
  const parity = await call('parity');
  console.log(`  logits max |ours - ORT|: ${JSON.stringify(parity)}`);
  models[name] = {
    ...info,
    date: new Date().toISOString(),
    loadavgAtStart: loadavg(),
    rounds: ROUNDS,
    parity,
    scenarios,
  };
  for (const scenario of SCENARIOS) {
    try {
      const times: Record<string, number[]> = { ours: [], ortWebgpu: [], ortWasm: [] };
      for (const peer of PEERS) await call('time', peer, scenario); // warm-up: pipelines, shapes
      for (let r = 0; r < ROUNDS; r++) {
        const order = PEERS.map((_, i) => PEERS[(i + r) % PEERS.length]);
        for (const peer of order) times[peer].push(await call('time', peer, scenario));
      }
      const entry: Record<string, unknown> = {
        tokens: await call('tokens', scenario),
        ours: { medianMs: median(times.ours), ms: times.ours },
      };
      for (const peer of ['ortWebgpu', 'ortWasm'] as const) {
        const ratios = times.ours.map((t, i) => t / times[peer][i]);
        entry[peer] = {
          medianMs: median(times[peer]),
          ms: times[peer],
          ratioOursToPeer: ratios,
          ratioMedian: median(ratios),
        };
      }
      scenarios[scenario] = entry;
      const e = entry as Record<string, { medianMs: number; ratioMedian?: number }>;
      console.log(
        `  ${scenario.padEnd(10)} ours ${e.ours.medianMs.toFixed(1)} ms | ORT WebGPU ${e.ortWebgpu.medianMs.toFixed(1)} ms (ratio ${e.ortWebgpu.ratioMedian!.toFixed(2)}) | ORT wasm ${e.ortWasm.medianMs.toFixed(1)} ms (ratio ${e.ortWasm.ratioMedian!.toFixed(2)})`,
      );
    } catch (e) {
      failure = `${name} ${scenario}: ${(e as Error).message.split('\n')[0]}`;
      console.log(`  ${scenario} failed: ${failure}`);
    }
    writeResults();
    if (failure) break;
  }
  if (failure) break;
}
await close();
console.log(`\nwrote ${writeResults()}`);
