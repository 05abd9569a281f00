// The results table (docs/results.md): every method, plus the IBKE ablations, on the fact-world test split,
// one edit at a time with real forward passes. Run (lavapipe or SwiftShader; it names the adapter it used):
//   node --import ./bin/register.mjs tools/results-table.ts --model public/models/fact-world \
//     --data data/fact-world/edits-test.json --ablations bench/editors [--limit 100] [--rome-limit 40]

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { intOption, parse, requireString } from '../src/cli/args.ts';
import { folderFiles, openSession } from '../src/cli/commands/edit.ts';
import { evaluate, type EvalSummary } from '../src/cli/commands/eval.ts';
import { gpuContext, loadModelDir } from '../src/cli/engine.ts';
import { IbkeEditor } from '../src/editors/ibke.ts';
import { EDITOR_FILES } from '../src/editors/hyper/files.ts';
import { readEditCases } from '../src/eval/datasets/index.ts';
import { EditSession } from '../src/engine/session.ts';
import type { MethodName } from '../src/engine/types.ts';

const USAGE =
  'tools/results-table.ts --model DIR --data TEST.json --ablations DIR [--limit N] [--rome-limit N]';

interface Row extends EvalSummary {
  label: string;
}

const { values } = parse(
  process.argv.slice(2),
  {
    model: { type: 'string' },
    data: { type: 'string' },
    ablations: { type: 'string' },
    limit: { type: 'string' },
    'rome-limit': { type: 'string' },
  },
  USAGE,
);
const modelDir = requireString(values, 'model', USAGE);
const dataFile = requireString(values, 'data', USAGE);
const ablations = requireString(values, 'ablations', USAGE);
const limit = intOption(values, 'limit', 100, 1, 100_000);
const romeLimit = intOption(values, 'rome-limit', 40, 1, 100_000);
const cases = await readEditCases(new Uint8Array(await readFile(dataFile)), dataFile);
const loaded = await loadModelDir(modelDir);
const session = await openSession(loaded);
const rows: Row[] = [];
const log = (m: string) => process.stderr.write(`[results] ${m}\n`);

const plan: [string, MethodName, number][] = [
  ['FT-L', 'ft', limit],
  ['ROME', 'rome', romeLimit],
  ['MEND', 'mend', limit],
  ['IBKE', 'ibke', limit],
];
for (const [label, method, n] of plan) {
  if (!session.methods.includes(method)) {
    log(`${label}: no editor for this model, skipped`);
    continue;
  }
  const t0 = performance.now();
  rows.push({
    label,
    ...(await evaluate(session, method, cases.slice(0, n), (i) => i % 20 === 0 && log(`${label} ${i}/${n}`))),
  });
  log(`${label}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
// The ablations were trained at l_m = 4; their full counterpart is ibke-lm4 (the shipped IBKE uses the sweep's l_m).
for (const [label, dir] of [
  ['IBKE, l_m 4 (base of the ablations)', 'ibke-lm4'],
  ['IBKE without IB (l_m 4)', 'ibke-no-ib'],
  ['IBKE without the scale factor (l_m 4)', 'ibke-no-scale'],
] as const) {
  const files = folderFiles(join(ablations, dir));
  const [config, weights] = await Promise.all([files(EDITOR_FILES.config), files(EDITOR_FILES.weights)]);
  if (!config || !weights) {
    log(`${label}: no editor files in ${join(ablations, dir)}, skipped`);
    continue;
  }
  const ablated = new EditSession(session.view, {
    ibke: IbkeEditor.load(loaded.model, { config: new TextDecoder().decode(config), weights }),
  });
  rows.push({ label, ...(await evaluate(ablated, 'ibke', cases.slice(0, limit))) });
}

const adapter = describeAdapter((await gpuContext()).adapter);
const pct = (x: number) => (Number.isFinite(x) ? (x * 100).toFixed(1) : 'n/a');
const table = [
  '| method | edits | reliability % | generality % | locality % | KL(pre‖post) | ms / edit |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.edits} | ${pct(r.reliability)} | ${pct(r.generality)} | ${pct(r.locality)} | ${Number.isFinite(r.kl) ? r.kl.toFixed(4) : 'n/a'} | ${r.latencyMs.toFixed(0)} |`,
  ),
].join('\n');
await mkdir('bench/results', { recursive: true });
await writeFile(
  'bench/results/editing-fact-world.json',
  JSON.stringify({ adapter, date: new Date().toISOString(), data: dataFile, rows }, null, 2) + '\n',
);
process.stdout.write(`Adapter: ${adapter}\n\n${table}\n`);
