// Time to the first chart (issue #14 item 4): a cold load of the built app (vite build, served by vite preview)
// in headless Chromium, a fresh browser each round (empty HTTP cache, IndexedDB, shader caches), measured from
// navigation start to the first prompt chart with drawn bars ("first chart"), and to the chart after the default
// session's example edit ("edited chart"). Target: first chart ≤ 3 s. Also records when the page's scripts and
// the engine worker's script finished loading (the page's Resource Timing; the weights are fetched inside the
// worker, whose timeline the page cannot see), to show where the time goes, and the built JS sizes. Writes bench/results/first-chart-<adapter>.json.
//
//   node --import ./bin/register.mjs bench/first-chart.ts
//   (BENCH_ROUNDS=5; BENCH_DIST=DIR serves an existing build instead of building into a temp folder;
//    CHROMIUM_PATH, BENCH_CHROMIUM_ARGS for a GPU machine)

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EXTRA_ARGS = (process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);
const PORT = Number(process.env.BENCH_PORT ?? 4291);
const DIST = process.env.BENCH_DIST ?? join(tmpdir(), 'editscope-first-chart-dist');
const TIMEOUT_MS = 180_000;

if (!process.env.BENCH_DIST) {
  console.log(`building the app into ${DIST} ...`);
  execFileSync('npx', ['vite', 'build', '--outDir', DIST, '--emptyOutDir', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
}
if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST} holds no built app (index.html).`);

/** Every JS file of the build with its size; `entry` marks what index.html loads before any import(). */
function bundle() {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const files = readdirSync(join(DIST, 'assets')).filter((f) => /\.(m?js|css)$/.test(f));
  return files
    .map((f) => ({
      file: f,
      bytes: statSync(join(DIST, 'assets', f)).size,
      entry: html.includes(`/assets/${f}`),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

const server = spawn(
  'npx',
  ['vite', 'preview', '--outDir', DIST, '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'],
  { stdio: 'ignore', detached: false },
);
const base = `http://127.0.0.1:${PORT}/`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(base)).ok) break;
  } catch {
    // not up yet
  }
  if (i > 120) throw new Error('vite preview did not start within 60 s.');
  await new Promise((r) => setTimeout(r, 500));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Round {
  firstChartMs: number;
  editedChartMs: number | null;
  scriptsDoneMs: number;
  workerScriptMs: number | null;
  domContentLoadedMs: number;
  loadingSteps: { ms: number; text: string }[];
}

let adapter = 'unknown';
let browserVersion = '';
const rounds: Round[] = [];
try {
  for (let r = 0; r < ROUNDS; r++) {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--enable-unsafe-webgpu',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        ...EXTRA_ARGS,
      ],
    });
    browserVersion = browser.version();
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    // Where the time goes: every change of the loading panel's steps (LoadingState.tsx), on the page's clock.
    await page.addInitScript(`
      window.__steps = [];
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="loading-state"]');
        const text = el ? Array.from(el.querySelectorAll('li')).map((li) => li.textContent).join(' | ') : 'gone';
        const last = window.__steps[window.__steps.length - 1];
        if (!last || last.text !== text) window.__steps.push({ ms: Math.round(performance.now()), text });
      }).observe(document, { subtree: true, childList: true, characterData: true });
    `);
    await page.goto(base, { waitUntil: 'commit' });
    // Polled every frame inside the page, so the time is the page's own clock, not Playwright's round trips.
    const firstChartMs = await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="prompt-chart"] .recharts-bar-rectangle') && performance.now(),
      undefined,
      { polling: 'raf', timeout: TIMEOUT_MS },
    );
    const first = (await firstChartMs.jsonValue()) as number;
    let edited: number | null = null;
    try {
      const h = await page.waitForFunction(
        () =>
          document.querySelector(
            '[data-testid="prompt-chart"][data-state="after"] .recharts-bar-rectangle',
          ) && performance.now(),
        undefined,
        { polling: 'raf', timeout: TIMEOUT_MS },
      );
      edited = (await h.jsonValue()) as number;
    } catch {
      edited = null; // the default edit did not finish in time: the first chart still counts
    }
    // A string, not a function: the TS loader would wrap a function's inner helpers in __name(), which the page lacks.
    const timing = (await page.evaluate(`(() => {
      const res = performance.getEntriesByType('resource');
      const end = (re) => {
        const hits = res.filter((e) => re.test(e.name)).map((e) => e.responseEnd);
        return hits.length ? Math.max(...hits) : null;
      };
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        scriptsDoneMs: end(/\\/assets\\/(main|vendor|rolldown|adapter|preload)[^/]*\\.js$/) ?? 0,
        workerScriptMs: end(/engine\\.worker[^/]*\\.js$/),
        domContentLoadedMs: nav.domContentLoadedEventEnd,
        loadingSteps: window.__steps,
      };
    })()`)) as {
      scriptsDoneMs: number;
      workerScriptMs: number | null;
      domContentLoadedMs: number;
      loadingSteps: { ms: number; text: string }[];
    };
    adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      const i = a?.info;
      return i ? `${i.vendor} / ${i.architecture || i.description || '?'}` : 'no adapter';
    });
    rounds.push({ firstChartMs: first, editedChartMs: edited, ...timing });
    console.log(
      `round ${r + 1}: first chart ${first.toFixed(0)} ms, edited chart ${edited?.toFixed(0) ?? '—'} ms (scripts ${timing.scriptsDoneMs.toFixed(0)}, worker script ${timing.workerScriptMs?.toFixed(0) ?? '—'}ms)`,
    );
    console.log(`  steps: ${timing.loadingSteps.map((x) => `${x.ms} ${x.text}`).join('\n         ')}`);
    await browser.close();
  }
} finally {
  server.kill();
}

const slug = adapter.toLowerCase().includes('swiftshader')
  ? 'swiftshader'
  : /llvmpipe|lavapipe/.test(adapter.toLowerCase())
    ? 'lavapipe'
    : adapter.toLowerCase().replace(/[^a-z0-9]+/g, '-') || 'gpu';
const files = bundle();
const result = {
  adapter,
  browser: `${browserVersion} (${CHROMIUM})`,
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, loadavg: loadavg() },
  rounds: ROUNDS,
  note: 'ms from navigation start, each round a fresh headless Chromium on the built app (vite preview). firstChart: the prompt chart has drawn bars; editedChart: the chart after the default session applied its example edit. Target: firstChart ≤ 3000 ms.',
  medianMs: {
    firstChart: median(rounds.map((r) => r.firstChartMs)),
    editedChart: rounds.every((r) => r.editedChartMs !== null)
      ? median(rounds.map((r) => r.editedChartMs!))
      : null,
  },
  target: { firstChartMs: 3000 },
  perRound: rounds,
  bundle: {
    entryBytes: files.filter((f) => f.entry).reduce((s, f) => s + f.bytes, 0),
    files,
  },
  command: 'node --import ./bin/register.mjs bench/first-chart.ts',
};
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/first-chart-${slug}.json`;
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(`first chart median ${result.medianMs.firstChart.toFixed(0)} ms; wrote ${file}`);
