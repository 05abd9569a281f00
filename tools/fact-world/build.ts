// Builds the fact world: facts, corpus, tokenizer and edit benchmark, reproducibly from a seed.
//   npx tsx tools/fact-world/build.ts [--seed 1] [--out data/fact-world] [--tokenizer-out public/models/fact-world/tokenizer.json] [--vocab-size 4096]

import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { TextTokenizer } from '../../src/model/tokenizer.ts';
import { buildBenchmark } from './benchmark.ts';
import { trainBpe, tokenizerJson } from './bpe.ts';
import { corpusLines, corpusStats, lineText } from './corpus.ts';
import { factSources, loadFacts } from './facts.ts';
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
  if (existsSync(o.tokenizerOut) && statSync(o.tokenizerOut).isDirectory())
    bad(
      `--tokenizer-out ${o.tokenizerOut} is a folder; give a file path such as ${o.tokenizerOut}/tokenizer.json.`,
    );
}

export function buildFactWorld(o: BuildOptions) {
  validateOptions(o);
  const facts = loadFacts();
  const corpus = corpusLines(facts, RELATIONS);
  const bpe = trainBpe(corpus.map(lineText), o.vocabSize);
  const json = tokenizerJson(bpe);
  const tokenizer = TextTokenizer.fromJson(JSON.stringify(json), o.tokenizerOut);
  const benchmark = buildBenchmark(facts, RELATIONS, {
    seed: o.seed,
    testFraction: o.testFraction,
    valFraction: 0.05,
    trainTargetsPerFact: 2,
    neighbours: 3,
  });
  const stats = {
    seed: o.seed,
    facts: facts.length,
    relations: Object.fromEntries(
      RELATIONS.map((r) => [r.id, facts.filter((f) => f.relation === r.id).length]),
    ),
    vocabSize: tokenizer.vocabSize,
    ...corpusStats(corpus, facts, RELATIONS, tokenizer),
    edits: { train: benchmark.train.length, val: benchmark.val.length, test: benchmark.test.length },
    subjects: benchmark.subjects,
    sources: factSources(),
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
