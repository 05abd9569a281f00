// `editscope trace`: ROME's causal trace (src/editors/causal-trace.ts) over a sample of a fact-world facts file.
// Each sampled fact is traced in one of its relation's phrasings (seeded), so subject-first and subject-last
// prompts both appear; facts the model does not know are skipped, as in ROME. Prints the mean indirect effect
// per position kind and layer for hidden states, MLP and attention outputs, and the edit site it picks.

import { readFile, writeFile } from 'node:fs/promises';
import {
  bestEditSite,
  peak,
  summarizeTraces,
  type TraceSummary,
} from '../../editors/causal-trace-summary.ts';
import {
  embeddingNoiseStd,
  POSITION_KINDS,
  subjectSpan,
  TRACE_DEFAULTS,
  TRACE_KINDS,
  traceFact,
  type FactTrace,
  type TraceFact,
  type TraceKind,
} from '../../editors/causal-trace.ts';
import { rng } from '../../util/random.ts';
import { floatOption, intOption, output, parse, requireString, UsageError } from '../args.ts';
import { loadModelDir } from '../engine.ts';

const USAGE =
  'editscope trace --model DIR --facts data/fact-world-v2/facts.json [--n 300 (known facts)] [--samples 2] [--noise 3] [--kinds block,mlp,attn] [--seed 1] [--out FILE] [--json]';

interface FactsFile {
  relations: { id: string; templates: string[] }[];
  facts: { subject: string; relation: string; object: string }[];
}

/** `n` facts of the file (seeded), each in a seeded choice of its relation's phrasings. */
export function sampleTraceFacts(
  world: FactsFile,
  n: number,
  seed: number,
): (TraceFact & { subjectFirst: boolean })[] {
  const templates = new Map(world.relations.map((r) => [r.id, r.templates]));
  const rand = rng(seed);
  const idx = world.facts.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const out: (TraceFact & { subjectFirst: boolean })[] = [];
  for (const i of idx) {
    const f = world.facts[i];
    const ts = templates.get(f.relation);
    if (!ts?.length) continue;
    const t = ts[Math.floor(rand() * ts.length)];
    out.push({
      prompt: t.replace('{}', f.subject),
      subject: f.subject,
      answer: ' ' + f.object,
      subjectFirst: t.startsWith('{}'),
    });
    if (out.length === n) break;
  }
  return out;
}

function readFacts(text: string, file: string): FactsFile {
  let world: FactsFile;
  try {
    world = JSON.parse(text) as FactsFile;
  } catch {
    throw new UsageError(`${file} is not JSON: give a fact-world facts.json (relations and facts).`);
  }
  if (!Array.isArray(world?.relations) || !Array.isArray(world?.facts))
    throw new UsageError(`${file} has no "relations" and "facts" lists: give a fact-world facts.json.`);
  return world;
}

export async function trace(argv: string[]): Promise<void> {
  const opt = { type: 'string' } as const;
  const { values } = parse(
    argv,
    { model: opt, facts: opt, n: opt, samples: opt, noise: opt, seed: opt, out: opt, kinds: opt },
    USAGE,
  );
  const factsFile = requireString(values, 'facts', USAGE);
  const n = intOption(values, 'n', 300, 1, 100_000);
  const samples = intOption(values, 'samples', TRACE_DEFAULTS.samples, 1, 64);
  const noiseScale = floatOption(values, 'noise', TRACE_DEFAULTS.noiseScale, 0, 1000);
  const seed = intOption(values, 'seed', 1, 0, 2 ** 31 - 1);
  const kinds = ((values.kinds as string | undefined) ?? TRACE_KINDS.join(',')).split(',') as TraceKind[];
  const unknownKind = kinds.find((k) => !TRACE_KINDS.includes(k));
  if (unknownKind !== undefined)
    throw new UsageError(`--kinds takes a comma-separated list of block, mlp, attn (got "${unknownKind}").`);
  let text: string;
  try {
    text = await readFile(factsFile, 'utf8');
  } catch {
    throw new UsageError(`Cannot read ${factsFile}: give a fact-world facts.json with --facts FILE.`);
  }
  // The whole file in a seeded order: facts are traced until n of them are known to the model.
  const facts = sampleTraceFacts(readFacts(text, factsFile), Infinity, seed);
  const { model, tokenizer } = await loadModelDir(requireString(values, 'model', USAGE));
  const spans = facts.slice(0, 1000).map((f) => subjectSpan(tokenizer, f));
  const subjectTokens = spans.flatMap((s) => (s ? s.tokens.slice(s.span[0], s.span[1] + 1) : []));
  if (subjectTokens.length === 0)
    throw new UsageError('No fact of the sample has a subject the tokenizer keeps apart.');
  const noiseStd = await embeddingNoiseStd(model, subjectTokens, noiseScale);
  const traces: (FactTrace & { subjectFirst: boolean })[] = [];
  let untokenizable = 0;
  const t0 = performance.now();
  for (const [i, f] of facts.entries()) {
    if (traces.filter((t) => t.known).length === n) break;
    const tr = await traceFact(model, tokenizer, f, noiseStd, {
      ...TRACE_DEFAULTS,
      samples,
      noiseScale,
      seed: seed + i,
    });
    if (tr) traces.push({ ...tr, subjectFirst: f.subjectFirst });
    else untokenizable++;
    if (!values.json && (i + 1) % 25 === 0 && traces.length)
      process.stderr.write(
        `${i + 1} facts tried, ${traces.filter((t) => t.known).length}/${n} known traced (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
      );
  }
  const summary = summarizeTraces(traces, { unknown: 0, untokenizable });
  const report = {
    model: values.model,
    facts: factsFile,
    tried: traces.length + untokenizable,
    samples,
    kinds,
    noiseScale,
    noiseStd,
    seed,
    seconds: (performance.now() - t0) / 1000,
    summary,
    bySubjectPlacement: {
      subjectFirst: summarizeTraces(traces.filter((t) => t.subjectFirst)),
      subjectLater: summarizeTraces(traces.filter((t) => !t.subjectFirst)),
    },
    peaks: Object.fromEntries(TRACE_KINDS.map((k) => [k, peak(summary, k)])),
    editSite: bestEditSite(summary),
  };
  if (values.out) await writeFile(values.out as string, JSON.stringify(report, null, 2) + '\n');
  output(values, report, () => formatSummary(summary, report.editSite));
}

export function formatSummary(s: TraceSummary, site: ReturnType<typeof bestEditSite>): string {
  const f = (x: number) => (x >= 0 ? ' ' : '') + x.toFixed(3);
  const lines = [
    `${s.facts} known facts traced (skipped: ${s.skipped.unknown} not known, ${s.skipped.untokenizable} untokenizable); ` +
      `p(answer) clean ${s.pClean.toFixed(3)}, corrupted ${s.pCorrupt.toFixed(3)}`,
  ];
  for (const kind of TRACE_KINDS) {
    lines.push(
      '',
      `indirect effect, ${kind} restored   layer: ${Array.from({ length: s.layers }, (_, l) => String(l).padStart(6)).join(' ')}`,
    );
    for (const pk of POSITION_KINDS) {
      const row = s.indirect[kind][pk];
      if (row.facts)
        lines.push(
          `  ${pk.padEnd(16)} (${String(row.facts).padStart(4)} facts) ${row.effect.map(f).join(' ')}`,
        );
    }
  }
  lines.push(
    '',
    `edit site (largest MLP indirect effect): block ${site.layer}, ${site.position} (${site.effect.toFixed(3)})`,
  );
  return lines.join('\n');
}
