// Node vs Chromium (issue #14 item 5): the engine's same forward (prefill) and KV-cache decode, same weights and
// token ids (bench/peers/models.ts), in this Node process (Dawn from the `webgpu` package) and in a headless
// Chromium page (Chromium's own Dawn), both on the same Vulkan driver (SwiftShader here), alternating: each round
// runs the scenario once in Chromium and once in Node, in alternating order, so load from other processes hits
// both alike. Writes per-round ratios node / chromium to bench/results/node-vs-chromium-<adapter>.json, keyed by
// the Dawn options Node ran with (EDITSCOPE_DAWN_OPTIONS, see src/gpu/node.ts), so each setting is one run:
//
//   EDITSCOPE_ADAPTER=swiftshader BENCH_NO_BUILD=1 node --import ./bin/register.mjs bench/peers/node-vs-chromium.ts
//   EDITSCOPE_DAWN_OPTIONS="enable-dawn-features=skip_validation,disable_robustness" ... (same command)
//   (BENCH_MODELS=fact-world,qwen3-small, BENCH_SCENARIOS=prefill16,decode, BENCH_ROUNDS=5)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { describeAdapter } from '../../src/gpu/adapter.ts';
import { GpuContext } from '../../src/gpu/context.ts';
import { acquireNodeDevice } from '../../src/gpu/node.ts';
import { readCheckpointDir } from '../../src/model/checkpoint-node.ts';
import { buildBenchModel, timeOurs, type ModelName, type Scenario } from './models.ts';
import { median, openPeersPage, slugOf } from './page.ts';

const MODELS = (process.env.BENCH_MODELS ?? 'fact-world,qwen3-small').split(',') as ModelName[];
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'prefill16,decode').split(',') as Scenario[];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const OPTIONS = process.env.EDITSCOPE_DAWN_OPTIONS ?? '';

const ctx = new GpuContext(await acquireNodeDevice());
const nodeAdapter = describeAdapter(ctx.adapter);
const { browser, call, close } = await openPeersPage();
const results: Record<string, unknown> = {};
let chromiumAdapter = 'unknown';
try {
  for (const name of MODELS) {
    const info = await call('setup', name, 1, []);
    chromiumAdapter = info.adapter;
    const m = await buildBenchModel(ctx, name, () => readCheckpointDir('public/models/fact-world'));
    const scenarios: Record<string, unknown> = {};
    for (const scenario of SCENARIOS) {
      await call('time', 'ours', scenario); // warm-up both: pipelines, buffers
      await timeOurs(m, scenario);
      const node: number[] = [];
      const chromium: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        if (r % 2 === 0) {
          chromium.push(await call('time', 'ours', scenario));
          node.push(await timeOurs(m, scenario));
        } else {
          node.push(await timeOurs(m, scenario));
          chromium.push(await call('time', 'ours', scenario));
        }
      }
      const ratios = node.map((t, i) => t / chromium[i]);
      scenarios[scenario] = {
        node: { medianMs: median(node), ms: node },
        chromium: { medianMs: median(chromium), ms: chromium },
        ratioNodeToChromium: ratios,
        ratioMedian: median(ratios),
      };
      console.log(
        `${name} ${scenario}: node ${median(node).toFixed(1)} ms, chromium ${median(chromium).toFixed(1)} ms, ratio ${median(ratios).toFixed(2)} (per round ${ratios.map((x) => x.toFixed(2)).join(' ')})`,
      );
    }
    m.model.destroy();
    results[name] = { parameters: m.model.parameterCount, loadavgAtStart: loadavg(), scenarios };
  }
} finally {
  await close();
}

const file = `bench/results/node-vs-chromium-${slugOf(nodeAdapter)}.json`;
let earlier: Record<string, unknown> = {};
try {
  earlier = (JSON.parse(readFileSync(file, 'utf8')) as { runs?: Record<string, unknown> }).runs ?? {};
} catch {
  // first run
}
const key = OPTIONS || 'default';
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  file,
  JSON.stringify(
    {
      nodeAdapter,
      chromiumAdapter,
      browser: browser.version(),
      webgpuPackage: (
        JSON.parse(readFileSync('node_modules/webgpu/package.json', 'utf8')) as { version: string }
      ).version,
      note: 'wall ms of the engine (same code, weights, tokens) in Node and in a Chromium page on the same driver, alternating per round; ratio = node / chromium (above 1: Node slower). runs are keyed by EDITSCOPE_DAWN_OPTIONS.',
      runs: {
        ...earlier,
        [key]: {
          date: new Date().toISOString(),
          machine: { cpus: cpus().length, loadavg: loadavg() },
          rounds: ROUNDS,
          dawnOptions: OPTIONS,
          models: results,
        },
      },
      command:
        'EDITSCOPE_ADAPTER=swiftshader [EDITSCOPE_DAWN_OPTIONS=...] node --import ./bin/register.mjs bench/peers/node-vs-chromium.ts',
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${file}`);
ctx.destroy();
