// npm run bench:peers — our engine against onnxruntime-web (WebGPU EP and wasm EP) in one headless Chromium
// page, on the same weights (ONNX from our exporter) and token ids. Builds the pages (vite), serves them with
// COOP/COEP (so the wasm EP may use threads), and for every model x scenario runs each runtime once to warm up,
// then BENCH_ROUNDS rounds in a rotating order. Writes medians and per-round ratios ours/peer (ratio < 1: we
// are faster) to bench/results/peers-<adapter>.json.
//
//   BENCH_MODELS=fact-world,gpt2-124m,qwen3-small BENCH_ROUNDS=5 BENCH_THREADS=2 npm run bench:peers
//   (BENCH_NO_BUILD=1 reuses the last build; CHROMIUM_PATH, BENCH_CHROMIUM_ARGS for a GPU machine;
//   BENCH_SCENARIOS=prefill16,decode and BENCH_PEERS=ortWebgpu for a subset). Models, scenarios and peers
//   measured in an earlier run on the same adapter stay
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
type Peer = 'ours' | 'ortWebgpu' | 'ortWasm';

const { browser, call, close } = await openPeersPage();

let adapter = 'unknown';
const models: Record<string, unknown> = {};
let failure: string | null = null;

type Entry = Record<string, unknown> & { scenarios?: Record<string, Record<string, unknown>> };

/** An earlier run's entries stay unless measured again, down to each scenario's peers. */
function mergeModels(
  earlier: Record<string, unknown>,
  now: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...earlier };
  for (const [name, value] of Object.entries(now)) {
    const old = (earlier[name] ?? {}) as Entry;
    const cur = value as Entry;
    const scenarios: Record<string, Record<string, unknown>> = { ...old.scenarios };
    for (const [k, v] of Object.entries(cur.scenarios ?? {})) scenarios[k] = { ...scenarios[k], ...v };
    out[name] = {
      ...old,
      ...cur,
      parity: { ...(old.parity as object), ...(cur.parity as object) },
      sessionMs: { ...(old.sessionMs as object), ...(cur.sessionMs as object) },
      scenarios,
    };
  }
  return out;
}

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
    models: mergeModels(earlier, models),
    command: 'BENCH_MODELS=<models> npm run bench:peers',
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

// A 124M model in the engine and both ORT sessions at once (plus the ONNX bytes) has crashed the page on this
// 2-core machine; BENCH_SPLIT_PEERS=1 loads one ORT session at a time and times ours against it alone.
// BENCH_PEERS=ortWebgpu (or ortWasm) times ours against that peer only.
const WANTED = (process.env.BENCH_PEERS ?? 'ortWasm,ortWebgpu').split(',');
const GROUPS: Peer[][] = (
  process.env.BENCH_SPLIT_PEERS ? [['ortWasm'], ['ortWebgpu']] : [['ortWasm', 'ortWebgpu']]
)
  .map((g) => g.filter((p) => WANTED.includes(p)) as Peer[])
  .filter((g) => g.length > 0);

for (const name of MODELS) {
  const scenarios: Record<string, Record<string, unknown>> = {};
  const entry: Record<string, unknown> = {
    scenarios,
    date: new Date().toISOString(),
    loadavgAtStart: loadavg(),
  };
  models[name] = entry;
  for (const group of GROUPS) {
    console.log(`\n${name}: loading into the engine and ${group.join(', ')} ...`);
    const info = await call('setup', name, THREADS, group);
    adapter = info.adapter;
    const parity = await call('parity');
    console.log(`  max |log p ours - log p ORT|: ${JSON.stringify(parity)}`);
    Object.assign(entry, {
      ...info,
      sessionMs: { ...(entry.sessionMs as object), ...(info.sessionMs as object) },
    });
    entry.parity = { ...(entry.parity as object), ...parity };
    entry.rounds = ROUNDS;
    const runners: Peer[] = ['ours', ...group];
    for (const scenario of SCENARIOS) {
      try {
        const times: Record<string, number[]> = Object.fromEntries(runners.map((p) => [p, []]));
        for (const peer of runners) await call('time', peer, scenario); // warm-up: pipelines, shapes
        for (let r = 0; r < ROUNDS; r++) {
          const order = runners.map((_, i) => runners[(i + r) % runners.length]);
          for (const peer of order) times[peer].push(await call('time', peer, scenario));
        }
        const e = (scenarios[scenario] ??= { tokens: await call('tokens', scenario) });
        // With split groups each group has its own "ours" series, timed beside that peer.
        e[group.length === 1 ? `oursBeside_${group[0]}` : 'ours'] = {
          medianMs: median(times.ours),
          ms: times.ours,
        };
        if (!e.ours) e.ours = { medianMs: median(times.ours), ms: times.ours };
        const line = [`  ${scenario.padEnd(10)} ours ${median(times.ours).toFixed(1)} ms`];
        for (const peer of group) {
          const ratios = times.ours.map((t, i) => t / times[peer][i]);
          e[peer] = {
            medianMs: median(times[peer]),
            ms: times[peer],
            ratioOursToPeer: ratios,
            ratioMedian: median(ratios),
          };
          line.push(`${peer} ${median(times[peer]).toFixed(1)} ms (ratio ${median(ratios).toFixed(2)})`);
        }
        console.log(line.join(' | '));
      } catch (err) {
        failure = `${name} ${scenario}: ${(err as Error).message.split('\n')[0]}`;
        console.log(`  ${scenario} failed: ${failure}`);
      }
      writeResults();
      if (failure) break;
    }
    if (failure) break;
  }
  if (failure) break;
}
await close();
console.log(`\nwrote ${writeResults()}`);
