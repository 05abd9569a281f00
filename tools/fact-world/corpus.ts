// The training corpus (every fact in every phrasing) and what the tokenizer makes of it: token counts of the
// corpus lines and of the objects, which decide the model's context length and the epoch's cost.

import type { TextTokenizer } from '../../src/model/tokenizer.ts';
import { fill } from './benchmark.ts';
import type { Fact } from './facts.ts';
import type { Relation } from './relations.ts';

/** One line per fact and phrasing: "prompt<TAB> object." (train-model scores only the part after the tab). */
export function corpusLines(facts: Fact[], relations: Relation[]): string[] {
  const rel = new Map(relations.map((r) => [r.id, r]));
  return facts.flatMap((f) =>
    rel.get(f.relation)!.templates.map((t) => `${fill(t, f.subject)}\t ${f.object}.`),
  );
}

/** A corpus line as the model reads it: the tab only marks where scoring starts. */
export const lineText = (line: string) => line.replace('\t', '');

export function corpusStats(lines: string[], facts: Fact[], relations: Relation[], tokenizer: TextTokenizer) {
  // +1: each sequence ends with <|endoftext|>.
  const lengths = lines.map((l) => tokenizer.encode(lineText(l)).length + 1);
  const objectTokens = (f: Fact) => tokenizer.encode(' ' + f.object).length;
  const histogram = (r: Relation) => {
    const h: Record<number, number> = {};
    for (const f of facts) if (f.relation === r.id) h[objectTokens(f)] = (h[objectTokens(f)] ?? 0) + 1;
    return h;
  };
  const multiWord = facts.filter((f) => f.object.includes(' '));
  // Single words that GPT-2's pre-tokenizer still cuts (hyphens, apostrophes: Porto-Novo, N'Djamena).
  const entities = [...new Set(facts.flatMap((f) => [f.subject, f.object]))].sort();
  const cutWords = entities.filter((e) => !e.includes(' ') && tokenizer.encode(' ' + e).length > 1);
  return {
    corpusLines: lines.length,
    corpusTokens: lengths.reduce((a, b) => a + b, 0),
    longestLineTokens: Math.max(...lengths),
    objectsTakingSeveralTokens: facts.filter((f) => objectTokens(f) > 1).length,
    objectTokensByRelation: Object.fromEntries(relations.map((r) => [r.id, histogram(r)])),
    objectsOverThreeTokens: facts.filter((f) => objectTokens(f) > 3).length,
    multiWordObjects: {
      facts: multiWord.length,
      distinct: new Set(multiWord.map((f) => f.object)).size,
      takingSeveralTokens: multiWord.filter((f) => objectTokens(f) > 1).length,
    },
    singleWordEntitiesTakingSeveralTokens: cutWords,
  };
}
