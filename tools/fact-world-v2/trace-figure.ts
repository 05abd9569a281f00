// The causal-trace figure (ROME Figure 1 style): three heat maps (hidden state, MLP output, attention output
// restored) of the mean indirect effect per token position kind (rows) and block (columns), as SVG.
//   npx tsx tools/fact-world-v2/trace-figure.ts --trace public/models/fact-world-v2/trace.json \
//     --out public/models/fact-world-v2/trace.svg [--title "fact-world v2"]

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

type Kind = 'block' | 'mlp' | 'attn';
interface Summary {
  facts: number;
  layers: number;
  pClean: number;
  pCorrupt: number;
  indirect: Record<Kind, Record<string, { effect: number[]; facts: number }>>;
}

const LABELS: Record<string, string> = {
  before_subject: 'before the subject',
  subject_first: 'first subject token',
  subject_middle: 'middle subject tokens',
  subject_last: 'last subject token',
  first_after: 'first subsequent token',
  further: 'further tokens',
  last: 'last token',
};
const PANELS: [Kind, string, [number, number, number]][] = [
  ['block', 'hidden state (block output)', [88, 28, 135]],
  ['mlp', 'MLP output', [0, 109, 44]],
  ['attn', 'attention output', [165, 15, 21]],
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function traceSvg(s: Summary, title: string): string {
  const rows = Object.keys(LABELS).filter((k) => s.indirect.block[k]?.facts > 0);
  const cell = 34;
  const rowH = 22;
  const labelW = 150;
  const panelW = labelW + s.layers * cell + 24;
  const top = 58;
  const height = top + rows.length * rowH + 58;
  const max = Math.max(1e-6, ...PANELS.flatMap(([k]) => rows.flatMap((r) => s.indirect[k][r].effect)));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${panelW * 3}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<text x="8" y="32">Mean indirect effect on p(answer) over ${s.facts} known facts: p(restored) − p(corrupted); clean ${s.pClean.toFixed(3)}, corrupted ${s.pCorrupt.toFixed(3)}. Colour scale 0 … ${max.toFixed(2)}.</text>`,
  ];
  PANELS.forEach(([kind, name, [r, g, b]], p) => {
    const x0 = p * panelW;
    out.push(`<text x="${x0 + labelW}" y="${top - 8}" font-weight="bold">${esc(name)}</text>`);
    rows.forEach((row, i) => {
      const y = top + i * rowH;
      out.push(`<text x="${x0 + labelW - 6}" y="${y + 15}" text-anchor="end">${esc(LABELS[row])}</text>`);
      s.indirect[kind][row].effect.forEach((e, l) => {
        const a = Math.max(0, Math.min(1, e / max));
        const mix = (c: number) => Math.round(255 - a * (255 - c));
        const fill = `rgb(${mix(r)},${mix(g)},${mix(b)})`;
        const x = x0 + labelW + l * cell;
        out.push(`<rect x="${x}" y="${y}" width="${cell - 1}" height="${rowH - 1}" fill="${fill}"/>`);
        out.push(
          `<text x="${x + cell / 2}" y="${y + 15}" text-anchor="middle" font-size="9" fill="${a > 0.55 ? 'white' : 'black'}">${e.toFixed(2)}</text>`,
        );
      });
    });
    const yl = top + rows.length * rowH + 14;
    for (let l = 0; l < s.layers; l++)
      out.push(`<text x="${x0 + labelW + l * cell + cell / 2}" y="${yl}" text-anchor="middle">${l}</text>`);
    out.push(
      `<text x="${x0 + labelW + (s.layers * cell) / 2}" y="${yl + 16}" text-anchor="middle">block</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { trace: { type: 'string' }, out: { type: 'string' }, title: { type: 'string' } },
  });
  if (!values.trace || !values.out) {
    console.error('trace-figure: give --trace FILE (from editscope trace --out) and --out FILE.svg.');
    process.exit(1);
  }
  const report = JSON.parse(readFileSync(values.trace, 'utf8')) as { summary: Summary; model?: string };
  writeFileSync(
    values.out,
    traceSvg(report.summary, values.title ?? `Causal trace of ${report.model ?? 'the model'}`),
  );
}
