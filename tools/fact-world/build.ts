// Builds the fact world: facts, corpus, tokenizer and edit benchmark, reproducibly from a seed.
//   npx tsx tools/fact-world/build.ts [--seed 1] [--out data/fact-world] [--tokenizer-out public/models/fact-world/tokenizer.json] [--vocab-size 4096]

import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { TextTokenizer } from '../../src/model/tokenizer.ts';
import { buildBenchmark, fill } from './benchmark.ts';
import { trainBpe, tokenizerJson } from './bpe.ts';
import { loadFacts } from './facts.ts';
import { RELATIONS } from './relations.ts';

export interface BuildOptions {
  seed: number;
  out: string;
  tokenizerOut: string;
  vocabSize: number;
  testFraction: number;
}

export function validateOptions(o: BuildOptions): void {
  const bad = (m: string) => {
    throw new Error(`build-world: ${m}`);
  };
  if (!Number.isInteger(o.seed) || o.seed < 0) bad(`--seed must be a non-negative integer, got ${o.seed}.`);
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < 258 || o.vocabSize > 4096)
    bad(`--vocab-size must be an integer from 258 to 4096, got ${o.vocabSize}.`);
  if (!(o.testFraction > 0 && o.testFraction < 0.5))
    bad(`--test-fraction must be in (0, 0.5), got ${o.testFraction}.`);
  if (existsSync(o.out) && !statSync(o.out).isDirectory()) bad(`--out ${o.out} is a file; give a folder.`);
}

export function buildFactWorld(o: BuildOptions) {
  validateOptions(o);
  const facts = loadFacts();
  const rel = new Map(RELATIONS.map((r) => [r.id, r]));
  // One corpus line per fact and phrasing: "prompt<TAB> object." (train-model scores only the completion).
  const corpus = facts.flatMap((f) =>
    rel.get(f.relation)!.templates.map((t) => `${fill(t, f.subject)}\t ${f.object}.`),
  );
  const bpe = trainBpe(
    corpus.map((l) => l.replace('\t', '')),
    o.vocabSize,
  );
  const json = tokenizerJson(bpe);
  const tokenizer = TextTokenizer.fromJson(JSON.stringify(json), o.tokenizerOut);
  const benchmark = buildBenchmark(facts, RELATIONS, {
    seed: o.seed,
    testFraction: o.testFraction,
    valFraction: 0.05,
    trainTargetsPerFact: 2,
    neighbours: 3,
  });
  const lengths = corpus.map((l) => tokenizer.encode(l.replace('\t', '')).length + 1);
  const multiToken = facts.filter((f) => tokenizer.encode(' ' + f.object).length > 1);
  const stats = {
    seed: o.seed,
    facts: facts.length,
    relations: Object.fromEntries(
      RELATIONS.map((r) => [r.id, facts.filter((f) => f.relation === r.id).length]),
    ),
    corpusLines: corpus.length,
    corpusTokens: lengths.reduce((a, b) => a + b, 0),
    longestLineTokens: Math.max(...lengths),
    vocabSize: tokenizer.vocabSize,
    objectsTakingSeveralTokens: multiToken.length,
    edits: { train: benchmark.train.length, val: benchmark.val.length, test: benchmark.test.length },
    subjects: benchmark.subjects,
    sources: { 'countries-list': 'MIT', 'chemical-elements': 'MIT' },
  };
  mkdirSync(o.out, { recursive: true });
  mkdirSync(dirname(o.tokenizerOut), { recursive: true });
  writeFileSync(`${o.out}/facts.json`, JSON.stringify({ relations: RELATIONS, facts }) + '\n');
  writeFileSync(`${o.out}/corpus.tsv`, corpus.join('\n') + '\n');
  for (const s of ['train', 'val', 'test'] as const)
    writeFileSync(`${o.out}/edits-${s}.json`, JSON.stringify(benchmark[s]) + '\n');
  writeFileSync(`${o.out}/stats.json`, JSON.stringify(stats, null, 2) + '\n');
  writeFileSync(o.tokenizerOut, JSON.stringify(json) + '\n');
  return stats;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'data/fact-world' },
      'tokenizer-out': { type: 'string', default: 'public/models/fact-world/tokenizer.json' },
      'vocab-size': { type: 'string', default: '4096' },
      'test-fraction': { type: 'string', default: '0.22' },
    },
  });
  try {
    const stats = buildFactWorld({
      seed: Number(values.seed),
      out: values.out!,
      tokenizerOut: values['tokenizer-out']!,
      vocabSize: Number(values['vocab-size']),
      testFraction: Number(values['test-fraction']),
    });
    console.log(JSON.stringify(stats, null, 2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
