// fact-world v2's facts: v1's countries and elements (countries-list and chemical-elements, MIT) and a seeded
// sample of six LRE relations (github.com/evandez/relations, data/factual, MIT, Evan Hernandez 2022), read from
// ../shared/data/lre-relations/ at build time. The product ships only the derived facts.json, with the license.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../../src/util/random.ts';
import { loadFacts, type Fact } from '../fact-world/facts.ts';
import { RELATIONS_V2 } from './relations.ts';

/** v1's test for a name that reads as one phrase in an English sentence. */
const PLAIN = /^\p{L}(?:[\p{L} .'-]*[\p{L}.])?$/u;

interface LreFile {
  samples: { subject: string; object: string }[];
}

export const LRE_DIR_DEFAULT = '../shared/data/lre-relations';

/**
 * All v2 facts, in a fixed order: v1's first (unchanged), then each LRE relation's sample. `lrePerRelation`
 * caps each LRE relation (training time on a 2-core machine is the limit); the sample is seeded, so the same
 * files and seed give the same facts. A subject already used by v1 (a landmark called "Georgia") is dropped.
 */
export function loadFactsV2(lreDir: string, lrePerRelation: number, seed: number): Fact[] {
  const facts = loadFacts();
  const taken = new Set(facts.flatMap((f) => [f.subject, f.object]));
  for (const r of RELATIONS_V2) {
    if (!r.source.startsWith('lre:')) continue;
    const file = join(lreDir, `${r.source.slice(4)}.json`);
    let data: LreFile;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as LreFile;
    } catch (e) {
      throw new Error(
        `build-world-v2: cannot read ${file} (${(e as Error).message}); pass --lre-dir with the folder of the LRE relation files.`,
      );
    }
    if (!Array.isArray(data.samples))
      throw new Error(`build-world-v2: ${file} has no "samples" list; is it an LRE relation file?`);
    const seen = new Set<string>();
    const usable = data.samples
      .filter((s) => typeof s.subject === 'string' && typeof s.object === 'string')
      .map((s) => ({ subject: s.subject.trim(), object: s.object.trim() }))
      .filter((s) => PLAIN.test(s.subject) && PLAIN.test(s.object) && s.subject !== s.object)
      .filter((s) => !taken.has(s.subject) && !seen.has(s.subject) && seen.add(s.subject))
      .sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
    for (const s of sample(usable, lrePerRelation, seed, r.id)) {
      facts.push({ subject: s.subject, relation: r.id, object: s.object });
      taken.add(s.subject);
    }
  }
  return facts;
}

/** `n` items of a sorted list, drawn by a PRNG seeded from the seed and the relation, kept in sorted order. */
function sample<T>(xs: T[], n: number, seed: number, salt: string): T[] {
  let h = seed >>> 0;
  for (const ch of salt) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  const rand = rng(h);
  const idx = xs.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => xs[i]);
}
