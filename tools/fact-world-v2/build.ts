// Builds fact-world v2: facts, corpus, tokenizer and edit benchmark, reproducibly from a seed (v1's corpus,
// tokenizer and benchmark code, run on v2's relations and facts).
//   npx tsx tools/fact-world-v2/build.ts [--seed 1] [--out data/fact-world-v2]
//     [--tokenizer-out public/models/fact-world-v2/tokenizer.json] [--vocab-size 6144] [--lre-per-relation 150]
//     [--lre-dir ../shared/data/lre-relations] [--profiles-per-subject 3] [--whole-subjects]

import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { TextTokenizer } from '../../src/model/tokenizer.ts';
import { buildBenchmark } from '../fact-world/benchmark.ts';
import { trainBpe, tokenizerJson } from '../fact-world/bpe.ts';
import { corpusLines, corpusStats, lineText } from '../fact-world/corpus.ts';
import { factSources } from '../fact-world/facts.ts';
import type { Relation } from '../fact-world/relations.ts';
import { LRE_DIR_DEFAULT, loadFactsV2 } from './facts.ts';
import { PROFILE_DEFAULTS, profileLines, profileText } from './profiles.ts';
import { RELATIONS_V2, subjectFirst } from './relations.ts';
import { splitSubjects, type TokenizerJson } from './split-subjects.ts';
import { keepLeadingSpace } from './leading-space.ts';

export interface BuildOptionsV2 {
  seed: number;
  out: string;
  tokenizerOut: string;
  vocabSize: number;
  testFraction: number;
  lrePerRelation: number;
  lreDir: string;
  /** Profile entries per subject (profiles.ts); 0 writes an empty profiles.tsv. */
  profilesPerSubject: number;
  /** Keep the BPE merges that make a subject one token (v2 before issue 13's recall-at-the-subject model). */
  wholeSubjects?: boolean;
}

export const DEFAULTS_V2: Omit<BuildOptionsV2, 'out' | 'tokenizerOut'> = {
  seed: 1,
  vocabSize: 6144,
  testFraction: 0.2,
  lrePerRelation: 150,
  lreDir: LRE_DIR_DEFAULT,
  profilesPerSubject: PROFILE_DEFAULTS.perSubject,
};

export function validateOptionsV2(o: BuildOptionsV2): void {
  const bad = (m: string) => {
    throw new Error(`build-world-v2: ${m}`);
  };
  if (!Number.isInteger(o.seed) || o.seed < 0) bad(`--seed must be a non-negative integer, got ${o.seed}.`);
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < 258 || o.vocabSize > 16384)
    bad(`--vocab-size must be an integer from 258 to 16384, got ${o.vocabSize}.`);
  if (!(o.testFraction > 0 && o.testFraction < 0.5))
    bad(`--test-fraction must be in (0, 0.5), got ${o.testFraction}.`);
  if (!Number.isInteger(o.lrePerRelation) || o.lrePerRelation < 1)
    bad(`--lre-per-relation must be a positive integer, got ${o.lrePerRelation}.`);
  if (!Number.isInteger(o.profilesPerSubject) || o.profilesPerSubject < 0 || o.profilesPerSubject > 20)
    bad(`--profiles-per-subject must be an integer from 0 to 20, got ${o.profilesPerSubject}.`);
  if (existsSync(o.out) && !statSync(o.out).isDirectory()) bad(`--out ${o.out} is a file; give a folder.`);
  if (existsSync(o.tokenizerOut) && statSync(o.tokenizerOut).isDirectory())
    bad(
      `--tokenizer-out ${o.tokenizerOut} is a folder; give a file path such as ${o.tokenizerOut}/tokenizer.json.`,
    );
}

/**
 * No subject is one token (split-subjects.ts says why), and every name's first piece keeps its leading space
 * (leading-space.ts says why): " Paris" is " Par" + "is", as in GPT-2, not " " + "Par" + "is".
 */
function namesInPieces(
  json: TokenizerJson,
  facts: readonly { subject: string; object: string }[],
  subjects: string[],
) {
  const split = splitSubjects(json, subjects);
  const names = [...new Set(facts.flatMap((f) => [f.subject, f.object]))];
  const freeIds = split.cut.map((piece) => json.model.vocab[piece]);
  const spaced = keepLeadingSpace(split.json, names, subjects, freeIds);
  const counts = {
    mergesLearned: json.model.merges.length,
    wholeNamePiecesCut: split.cut.length,
    leadingSpaceMergesAdded: spaced.added.length,
    namesStillAfterBareSpace: spaced.bare.length,
  };
  return { json: spaced.json, counts };
}

/** v1's modules take v1's Relation; they read only id, templates and inverseOf, which v2 relations share. */
const asV1 = RELATIONS_V2 as unknown as Relation[];

export function buildFactWorldV2(o: BuildOptionsV2) {
  validateOptionsV2(o);
  const facts = loadFactsV2(o.lreDir, o.lrePerRelation, o.seed);
  const corpus = corpusLines(facts, asV1);
  const bpe = trainBpe(corpus.map(lineText), o.vocabSize);
  const subjects = [...new Set(facts.map((f) => f.subject))];
  const pieces = o.wholeSubjects ? undefined : namesInPieces(tokenizerJson(bpe), facts, subjects);
  const json = pieces?.json ?? tokenizerJson(bpe);
  const tokenizer = TextTokenizer.fromJson(JSON.stringify(json), o.tokenizerOut);
  // The tokenizer is trained on the template lines only, so adding profile lines leaves it (and every prompt's
  // ids) as before; profiles use the same words.
  const profiles = profileLines(facts, {
    ...PROFILE_DEFAULTS,
    seed: o.seed,
    perSubject: o.profilesPerSubject,
  });
  const profileTokens = profiles.map((l) => tokenizer.encode(profileText(l)).length + 1);
  const benchmark = buildBenchmark(facts, asV1, {
    seed: o.seed,
    testFraction: o.testFraction,
    valFraction: 0.06,
    trainTargetsPerFact: 2,
    neighbours: 3,
  });
  const byRelation = (pred: (id: string) => number) =>
    Object.fromEntries(RELATIONS_V2.map((r) => [r.id, pred(r.id)]));
  const stats = {
    seed: o.seed,
    lrePerRelation: o.lrePerRelation,
    facts: facts.length,
    relations: byRelation((id) => facts.filter((f) => f.relation === id).length),
    subjectFirstPhrasings: byRelation(
      (id) => RELATIONS_V2.find((r) => r.id === id)!.templates.filter(subjectFirst).length,
    ),
    phrasings: byRelation((id) => RELATIONS_V2.find((r) => r.id === id)!.templates.length),
    vocabSize: tokenizer.vocabSize,
    ...(pieces ? { tokenizer: pieces.counts } : {}),
    ...corpusStats(corpus, facts, asV1, tokenizer),
    profiles: {
      perSubject: o.profilesPerSubject,
      lines: profiles.length,
      tokens: profileTokens.reduce((a, b) => a + b, 0),
      longestLineTokens: Math.max(0, ...profileTokens),
    },
    edits: { train: benchmark.train.length, val: benchmark.val.length, test: benchmark.test.length },
    subjects: benchmark.subjects,
    sources: { ...factSources(), 'evandez/relations@1b9ec3cf (data/factual)': 'MIT' },
  };
  mkdirSync(o.out, { recursive: true });
  mkdirSync(dirname(o.tokenizerOut), { recursive: true });
  writeFileSync(`${o.out}/facts.json`, JSON.stringify({ relations: RELATIONS_V2, facts }) + '\n');
  writeFileSync(`${o.out}/corpus.tsv`, corpus.join('\n') + '\n');
  writeFileSync(`${o.out}/profiles.tsv`, profiles.map((l) => l + '\n').join(''));
  for (const s of ['train', 'val', 'test'] as const)
    writeFileSync(`${o.out}/edits-${s}.json`, JSON.stringify(benchmark[s]) + '\n');
  writeFileSync(`${o.out}/stats.json`, JSON.stringify(stats, null, 2) + '\n');
  writeFileSync(o.tokenizerOut, JSON.stringify(json) + '\n');
  return stats;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: String(DEFAULTS_V2.seed) },
      out: { type: 'string', default: 'data/fact-world-v2' },
      'tokenizer-out': { type: 'string', default: 'public/models/fact-world-v2/tokenizer.json' },
      'vocab-size': { type: 'string', default: String(DEFAULTS_V2.vocabSize) },
      'test-fraction': { type: 'string', default: String(DEFAULTS_V2.testFraction) },
      'lre-per-relation': { type: 'string', default: String(DEFAULTS_V2.lrePerRelation) },
      'lre-dir': { type: 'string', default: DEFAULTS_V2.lreDir },
      'profiles-per-subject': { type: 'string', default: String(DEFAULTS_V2.profilesPerSubject) },
      'whole-subjects': { type: 'boolean', default: false },
    },
  });
  try {
    const stats = buildFactWorldV2({
      seed: Number(values.seed),
      out: values.out!,
      tokenizerOut: values['tokenizer-out']!,
      vocabSize: Number(values['vocab-size']),
      testFraction: Number(values['test-fraction']),
      lrePerRelation: Number(values['lre-per-relation']),
      lreDir: values['lre-dir']!,
      profilesPerSubject: Number(values['profiles-per-subject']),
      wholeSubjects: values['whole-subjects'],
    });
    console.log(JSON.stringify(stats, null, 2));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
