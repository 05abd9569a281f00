// Markdown tables for docs/quantization.md from bench/results/quant-<adapter>.json (what bench/quant.ts wrote):
// accuracy (top-1 agreement, mean/max KL against f32 per model and dtype) and edits (each method and dtype with
// exact match and the unedited model's score beside each metric, and the update size). Only measured rows.
//
//   node --import ./bin/register.mjs bench/quant-tables.ts [bench/results/quant-swiftshader.json]

import { readFileSync } from 'node:fs';

type Row = Record<string, number | string | null | undefined>;
const file = process.argv[2] ?? 'bench/results/quant-swiftshader.json';
const results = JSON.parse(readFileSync(file, 'utf8')) as {
  adapter?: string;
  accuracy?: Record<string, unknown>;
  edits?: Record<string, unknown>;
};

const pct = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(1)} %` : '–');
const sci = (x: unknown) => (typeof x === 'number' ? x.toExponential(1) : '–');
const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

const out: string[] = [`Adapter: ${results.adapter ?? 'unknown'} (${file})`, ''];
const MODELS: Record<string, string> = {
  'fact-world': 'fact-world (1.1M, trained)',
  'gpt2-124M-random': 'GPT-2 124M, random',
  'qwen3-small-random': 'Qwen3, random (4 layers, 256 wide, 2,048 tokens)',
};
const accRows: string[][] = [];
for (const [key, name] of Object.entries(MODELS)) {
  const m = results.accuracy?.[key] as Record<string, Row> | undefined;
  if (!m) continue;
  for (const dtype of ['f16', 'int8', 'int4']) {
    const r = m[dtype];
    if (!r) continue;
    const mib = r.parameterMiB ?? r.linearMiB;
    accRows.push([
      dtype === 'f16' ? name : '',
      dtype === 'f16' ? String(m.prompts) : '',
      dtype,
      typeof mib === 'number' ? `${mib} MiB${r.parameterMiB === undefined ? ' (linears)' : ''}` : '–',
      pct(r.top1Agreement),
      sci(r.meanKL),
      sci(r.maxKL),
      String(r.load ?? 'linears'),
    ]);
  }
}
if (accRows.length)
  out.push(
    table(
      ['model', 'prompts', 'dtype', 'parameters on the GPU', 'top-1 agreement', 'mean KL', 'max KL', 'load'],
      accRows,
    ),
    '',
  );

const NAMES: Record<string, string> = { ft: 'FT-L', rome: 'ROME', mend: 'MEND', ibke: 'IBKE' };
const editRows: string[][] = [];
// "x (unedited y)": the score after the edit and the same score on the unedited model in the same dtype.
const pair = (r: Row, k: string) => `${pct(r[k])} (${pct(r[`${k}Unedited`])})`;
for (const method of Object.keys(NAMES))
  for (const dtype of ['f32', 'int8', 'int4']) {
    const r = (results.edits?.[dtype] as Record<string, Row> | undefined)?.[method];
    if (!r || r.reliabilityUnedited === undefined) continue; // rows from before the unedited scores were kept
    editRows.push([
      NAMES[method],
      dtype,
      String(r.edits),
      pair(r, 'reliability'),
      pair(r, 'reliabilityExact'),
      pair(r, 'generality'),
      pair(r, 'generalityExact'),
      pct(r.locality),
      sci(r.updateSize),
      String(r.msPerEdit),
    ]);
  }
if (editRows.length)
  out.push(
    table(
      [
        'method',
        'dtype',
        'edits',
        'reliability (unedited)',
        'exact (unedited)',
        'generality (unedited)',
        'exact (unedited)',
        'locality',
        '‖ΔW‖/‖W‖',
        'ms / edit',
      ],
      editRows,
    ),
  );
process.stdout.write(out.join('\n') + '\n');
