// Markdown rows of docs/results.md's honest tables from `editscope eval --out` files (one edit at a time), so
// the docs' numbers are the files' numbers. Run:
//   node --import ./bin/register.mjs tools/honest-rows.ts "IBKE (shipped)=bench/results/issue13/v2-ibke-test-spread100.json" ...

import { readFile } from 'node:fs/promises';
import type { HonestSummary } from '../src/eval/metrics.ts';

const pct = (x: number | null | undefined) => (typeof x === 'number' ? (100 * x).toFixed(1) : 'n/a');

/** One row: method | edits | reliability tok / exact (floor) | generality … | locality (same subject / same relation) | p(true) | ‖ΔW‖/‖W‖ | KL | ms. */
export function honestRow(
  label: string,
  s: { honest: HonestSummary; kl: number; edits: number; failed: number },
) {
  const h = s.honest;
  const edits = s.failed > 0 ? `${s.edits} (+${s.failed} failed)` : String(s.edits);
  return [
    label,
    edits,
    `${pct(h.reliability)} / ${pct(h.reliabilityExact)} (${pct(h.reliabilityFloor)} / ${pct(h.reliabilityExactFloor)})`,
    `${pct(h.generality)} / ${pct(h.generalityExact)} (${pct(h.generalityFloor)} / ${pct(h.generalityExactFloor)})`,
    `${pct(h.locality)} (${pct(h.localitySameSubject)} / ${pct(h.localitySameRelation)})`,
    `${pct(h.trueProbBefore)} → ${pct(h.trueProbAfter)}`,
    `${h.updateSize?.toFixed(3) ?? 'n/a'} (${h.updateSizeMax?.toFixed(3) ?? 'n/a'})`,
    s.kl.toFixed(3),
    h.latencyMs === null ? 'n/a' : Math.round(h.latencyMs).toLocaleString('en-US'),
  ].join(' | ');
}

if (process.argv[1]?.endsWith('honest-rows.ts'))
  for (const arg of process.argv.slice(2)) {
    const at = arg.indexOf('=');
    if (at < 1) throw new Error(`Give LABEL=FILE (got "${arg}").`);
    const s = JSON.parse(await readFile(arg.slice(at + 1), 'utf8'));
    process.stdout.write(`| ${honestRow(arg.slice(0, at), s)} |\n`);
  }
