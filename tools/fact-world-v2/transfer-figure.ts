// The domain-transfer heat map (issue 13 item 6, the IBKE paper's Figure 5): rows = the domain an editor was
// trained on, columns = the domain of the test edits, one panel per editor variant and score, as SVG and a
// markdown table. Input: eval --out files named {variant}-{trained}-on-{tested}.json in one folder.
//   npx tsx tools/fact-world-v2/transfer-figure.ts --dir bench/results/issue13/transfer --out docs/transfer.svg

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface Honest {
  reliabilityExact: number;
  generalityExact: number;
  locality: number;
  edits: number;
}
/** score[variant][trained][tested] */
export type TransferScores = Record<string, Record<string, Record<string, Honest>>>;

const NAME = /^(.+)-([a-z]+)-on-([a-z]+)\.json$/;
const SCORES: [keyof Honest, string][] = [
  ['reliabilityExact', 'reliability (exact)'],
  ['generalityExact', 'generality (exact)'],
  ['locality', 'locality'],
];

export function readTransfer(dir: string): TransferScores {
  const out: TransferScores = {};
  for (const f of readdirSync(dir).sort()) {
    const m = NAME.exec(f);
    if (!m) continue;
    const honest = (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { honest: Honest }).honest;
    ((out[m[1]] ??= {})[m[2]] ??= {})[m[3]] = honest;
  }
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function transferSvg(s: TransferScores, title: string): string {
  const variants = Object.keys(s);
  const trained = [...new Set(variants.flatMap((v) => Object.keys(s[v])))];
  const tested = [...new Set(variants.flatMap((v) => trained.flatMap((t) => Object.keys(s[v][t] ?? {}))))];
  const cell = 58;
  const rowH = 22;
  const labelW = 84;
  const panelW = labelW + tested.length * cell + 20;
  const panelH = 40 + trained.length * rowH + 20;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${panelW * SCORES.length}" height="${40 + panelH * variants.length}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<text x="8" y="32">Rows: the domain the editor was trained on; columns: the domain of the test edits. Colour 0 … 100 %.</text>`,
  ];
  variants.forEach((v, vi) => {
    SCORES.forEach(([key, label], si) => {
      const x0 = si * panelW;
      const y0 = 40 + vi * panelH;
      out.push(`<text x="${x0 + labelW}" y="${y0 + 16}" font-weight="bold">${esc(`${v}: ${label}`)}</text>`);
      tested.forEach((t, j) =>
        out.push(
          `<text x="${x0 + labelW + j * cell + cell / 2}" y="${y0 + 32}" text-anchor="middle">${esc(t)}</text>`,
        ),
      );
      trained.forEach((tr, i) => {
        const y = y0 + 38 + i * rowH;
        out.push(`<text x="${x0 + labelW - 6}" y="${y + 15}" text-anchor="end">${esc(tr)}</text>`);
        tested.forEach((t, j) => {
          const h = s[v][tr]?.[t];
          if (h === undefined) return;
          const a = Math.max(0, Math.min(1, h[key]));
          const fill = `rgb(${Math.round(255 - a * 215)},${Math.round(255 - a * 150)},${Math.round(255 - a * 55)})`;
          const x = x0 + labelW + j * cell;
          out.push(`<rect x="${x}" y="${y}" width="${cell - 1}" height="${rowH - 1}" fill="${fill}"/>`);
          out.push(
            `<text x="${x + cell / 2}" y="${y + 15}" text-anchor="middle" fill="${a > 0.6 ? 'white' : 'black'}">${(100 * h[key]).toFixed(1)}</text>`,
          );
        });
      });
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The same numbers as a markdown table: one row per (variant, trained domain), reliability/generality/locality. */
export function transferTable(s: TransferScores): string {
  const variants = Object.keys(s);
  const tested = [...new Set(variants.flatMap((v) => Object.values(s[v]).flatMap((r) => Object.keys(r))))];
  const lines = [
    `| editor | trained on | ${tested.map((t) => `${t} (rel / gen / loc)`).join(' | ')} |`,
    `| --- | --- | ${tested.map(() => '---').join(' | ')} |`,
  ];
  for (const v of variants)
    for (const [tr, row] of Object.entries(s[v]))
      lines.push(
        `| ${v} | ${tr} | ${tested
          .map((t) =>
            row[t] === undefined
              ? ''
              : SCORES.map(([k]) => (100 * row[t][k]).toFixed(1)).join(' / ') + ` (${row[t].edits})`,
          )
          .join(' | ')} |`,
      );
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, out: { type: 'string' }, title: { type: 'string' } },
  });
  if (!values.dir || !values.out) {
    console.error(
      'transfer-figure: give --dir (eval --out files {variant}-{trained}-on-{tested}.json) and --out FILE.svg.',
    );
    process.exit(1);
  }
  const s = readTransfer(values.dir);
  if (Object.keys(s).length === 0) {
    console.error(`transfer-figure: ${values.dir} holds no file named {variant}-{trained}-on-{tested}.json.`);
    process.exit(1);
  }
  writeFileSync(values.out, transferSvg(s, values.title ?? 'IBKE domain transfer on fact-world v2'));
  process.stdout.write(transferTable(s));
}
