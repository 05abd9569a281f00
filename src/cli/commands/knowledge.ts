// `editscope knowledge`: what the model knows. For every fact in every phrasing, is the object the model's
// greedy answer (teacher-forced argmax at each object token)? Reports accuracy overall, per relation and per
// phrasing, and lists misses. This is the committed measure behind the fact-world model card.

import { readFile, writeFile } from 'node:fs/promises';
import { teacherForcedArgmax } from '../../engine/readings.ts';
import { tokenAccuracy } from '../../eval/metrics.ts';
import { parse, requireString } from '../args.ts';
import { loadLanguageModelDir } from '../engine.ts';

const USAGE = 'editscope knowledge --model DIR --facts data/fact-world/facts.json [--out FILE] [--json]';

interface FactsFile {
  relations: { id: string; templates: string[] }[];
  facts: { subject: string; relation: string; object: string }[];
}

export async function knowledge(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    { model: { type: 'string' }, facts: { type: 'string' }, out: { type: 'string' } },
    USAGE,
  );
  const { model, tokenizer } = await loadLanguageModelDir(requireString(values, 'model', USAGE));
  const world = JSON.parse(await readFile(requireString(values, 'facts', USAGE), 'utf8')) as FactsFile;
  const templates = new Map(world.relations.map((r) => [r.id, r.templates]));
  const items = world.facts.flatMap((f) =>
    (templates.get(f.relation) ?? []).map((t, phrasing) => ({
      f,
      phrasing,
      prompt: tokenizer.encode(t.replace('{}', f.subject)),
      completion: tokenizer.encode(' ' + f.object),
    })),
  );
  const correct: boolean[] = [];
  for (let i = 0; i < items.length; i += 64) {
    const chunk = items.slice(i, i + 64);
    const got = await teacherForcedArgmax(model, chunk);
    chunk.forEach((it, j) => correct.push(tokenAccuracy(got[j], it.completion) === 1));
  }
  const rate = (pick: (i: number) => boolean) => {
    let n = 0;
    let ok = 0;
    items.forEach((_, i) => (pick(i) ? (n++, (ok += correct[i] ? 1 : 0)) : 0));
    return { accuracy: n ? ok / n : NaN, n };
  };
  const report = {
    overall: rate(() => true),
    byRelation: Object.fromEntries(
      world.relations.map((r) => [r.id, rate((i) => items[i].f.relation === r.id)]),
    ),
    byPhrasing: Object.fromEntries(
      world.relations.flatMap((r) =>
        r.templates.map((t, p) => [t, rate((i) => items[i].f.relation === r.id && items[i].phrasing === p)]),
      ),
    ),
    misses: items
      .filter((_, i) => !correct[i])
      .slice(0, 50)
      .map(
        (it) => `${templates.get(it.f.relation)![it.phrasing].replace('{}', it.f.subject)} → ${it.f.object}`,
      ),
  };
  if (values.out) await writeFile(values.out as string, JSON.stringify(report, null, 2) + '\n');
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  process.stdout.write(
    values.json
      ? JSON.stringify(report) + '\n'
      : [
          `top-1 accuracy over ${report.overall.n} fact×phrasing prompts: ${pct(report.overall.accuracy)}`,
          ...Object.entries(report.byRelation).map(
            ([r, v]) => `  ${r.padEnd(14)} ${pct(v.accuracy)} of ${v.n}`,
          ),
          ...Object.entries(report.byPhrasing)
            .sort((a, b) => a[1].accuracy - b[1].accuracy)
            .slice(0, 3)
            .map(([t, v]) => `  weakest phrasing: "${t}" ${pct(v.accuracy)}`),
        ].join('\n') + '\n',
  );
}
