// The Node side of the benchmark pages: builds them (vite) unless BENCH_NO_BUILD and a build exists, serves them
// with COOP/COEP (so onnxruntime-web's wasm EP may use threads), opens bench/peers/index.html in headless
// Chromium and calls window.editscopePeers (bench/peers/peers.ts) from Node. Used by run.ts and
// node-vs-chromium.ts.

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from '@playwright/test';

export const DIST = join(tmpdir(), 'editscope-peers-dist');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EXTRA_ARGS = (process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export interface PeersApi {
  setup: (
    name: string,
    threads: number,
    ortPeers?: string[],
  ) => Promise<Record<string, unknown> & { adapter: string }>;
  time: (peer: string, scenario: string) => Promise<number>;
  parity: () => Promise<Record<string, number>>;
  tokens: (scenario: string) => Promise<number>;
}

export async function openPeersPage() {
  if (!process.env.BENCH_NO_BUILD || !existsSync(join(DIST, 'bench/peers/index.html'))) {
    console.log(`building the pages into ${DIST} ...`);
    execFileSync('npx', ['vite', 'build', '--outDir', DIST, '--emptyOutDir', '--logLevel', 'warn'], {
      stdio: 'inherit',
    });
  }
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(DIST, path);
    if (!file.startsWith(DIST) || !existsSync(file) || !statSync(file).isFile()) {
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
      // One 124M ORT WebGPU run on SwiftShader takes 18+ s in one submission: Chromium's GPU watchdog killed the
      // page at it (measured twice); without the watchdog it finishes.
      '--disable-gpu-watchdog',
      ...EXTRA_ARGS,
    ],
  });
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && console.log(`[page] ${m.text()}`));
  await page.goto(`http://127.0.0.1:${port}/bench/peers/index.html`);
  await page.waitForSelector('body[data-ready="true"]');
  const call = <K extends keyof PeersApi>(name: K, ...args: Parameters<PeersApi[K]>) =>
    page.evaluate(
      ([n, a]) => {
        const api = (window as unknown as { editscopePeers: Record<string, (...x: unknown[]) => unknown> })
          .editscopePeers;
        return api[n as string](...(a as unknown[]));
      },
      [name, args] as const,
    ) as ReturnType<PeersApi[K]>;
  const close = async () => {
    await browser.close().catch(() => undefined);
    server.close();
  };
  return { browser, call, close };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** swiftshader, lavapipe, or a slug of the GPU's "vendor / architecture". */
export function slugOf(adapter: string): string {
  const a = adapter.toLowerCase();
  if (a.includes('swiftshader')) return 'swiftshader';
  if (/llvmpipe|lavapipe/.test(a)) return 'lavapipe';
  return (
    a
      .split(' / ')
      .slice(0, 2)
      .join('-')
      .replace(/[^a-z0-9-]+/g, '-') || 'gpu'
  );
}
