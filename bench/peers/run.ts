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

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from '@playwright/test';

const OUT = join(tmpdir(), 'editscope-peers-dist');
const MODELS = (process.env.BENCH_MODELS ?? 'fact-world,gpt2-124m,qwen3-small').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const THREADS = Number(process.env.BENCH_THREADS ?? Math.min(4, cpus().length));
const ALL_SCENARIOS = ['prefill16', 'prefill128', 'decode'] as const;
const SCENARIOS = ALL_SCENARIOS.filter((s) =>
  (process.env.BENCH_SCENARIOS ?? ALL_SCENARIOS.join(',')).split(',').includes(s),
);
const PEERS = ['ours', 'ortWebgpu', 'ortWasm'] as const;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EXTRA_ARGS = (process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);

if (!process.env.BENCH_NO_BUILD || !existsSync(join(OUT, 'bench/peers/index.html'))) {
  console.log(`building the pages into ${OUT} ...`);
  execFileSync('npx', ['vite', 'build', '--outDir', OUT, '--emptyOutDir', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
    /^(\.\.[/\\])+/,
    '',
  );
  const file = join(OUT, path);
  if (!file.startsWith(OUT) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  createReadStream(file).pipe(res);
});
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const port = (server.address() as { port: number }).port;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [
    '--enable-unsafe-webgpu',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    ...EXTRA_ARGS,
  ],
});
const page = await browser.newPage();
page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
await page.goto(`http://127.0.0.1:${port}/bench/peers/index.html`);
await page.waitForSelector('body[data-ready="true"]');

type Api = {
  setup: (name: string, threads: number) => Promise<Record<string, unknown> & { adapter: string }>;
  time: (peer: string, scenario: string) => Promise<number>;
  parity: () => Promise<Record<string, number>>;
  tokens: (scenario: string) => Promise<number>;
};
const call = <K extends keyof Api>(name: K, ...args: Parameters<Api[K]>) =>
  page.evaluate(
    ([n, a]) => {
      const api = (window as unknown as { editscopePeers: Record<string, (...x: unknown[]) => unknown> })
        .editscopePeers;
      return api[n as string](...(a as unknown[]));
    },
    [name, args] as const,
  ) as ReturnType<Api[K]>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let adapter = 'unknown';
const models: Record<string, unknown> = {};
let failure: string | null = null;

/** Written after every scenario, so a crashed page still leaves what was measured. */
function writeResults(): string {
  const slug = adapter.toLowerCase().includes('swiftshader')
    ? 'swiftshader'
    : /llvmpipe|lavapipe/.test(adapter.toLowerCase())
      ? 'lavapipe'
      : adapter
          .toLowerCase()
          .split(' / ')
          .slice(0, 2)
          .join('-')
          .replace(/[^a-z0-9-]+/g, '-') || 'gpu';
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
await browser.close().catch(() => undefined);
server.close();
console.log(`\nwrote ${writeResults()}`);
