// The counterfactual edit benchmark in EasyEdit style: each edit gives a subject a new object of the same
// relation (another object that relation really has, never the true one), every other phrasing of the fact as
// generalization probes, and locality probes (the same relation for other subjects; other relations of the same
// subject). Train and test subjects are disjoint, and so are their entities: a test capital's country and a test
// symbol's element are test subjects too, so no test edit is about an entity the editor was trained to edit.

import { rng } from '../../src/train/schedule.ts';
import type { Fact } from './facts.ts';
import type { Relation } from './relations.ts';

export interface EasyEditRecord {
  case_id: string;
  relation: string;
  prompt: string;
  subject: string;
  target_new: string;
  ground_truth: string;
  rephrase_prompts: string[];
  locality: {
    neighborhood: { prompt: string; ground_truth: string }[];
    same_subject: { prompt: string; ground_truth: string }[];
  };
}

export interface BenchmarkOptions {
  seed: number;
  /** Fraction of subjects held out for the test split. */
  testFraction: number;
  /** Fraction of the remaining subjects held out for validation. */
  valFraction: number;
  /** Counterfactual targets per training fact (test and validation get one). */
  trainTargetsPerFact: number;
  neighbours: number;
}

export const fill = (template: string, subject: string) => template.replace('{}', subject);

export function buildBenchmark(facts: Fact[], relations: Relation[], o: BenchmarkOptions) {
  const rand = rng(o.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const shuffle = <T>(xs: T[]): T[] => {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  const rel = new Map(relations.map((r) => [r.id, r]));
  const byRelation = new Map<string, Fact[]>();
  const bySubject = new Map<string, Fact[]>();
  for (const f of facts) {
    byRelation.set(f.relation, [...(byRelation.get(f.relation) ?? []), f]);
    bySubject.set(f.subject, [...(bySubject.get(f.subject) ?? []), f]);
  }
  // Whole entity groups go to test until it holds testFraction of the subjects, then to validation.
  const groups = shuffle(subjectGroups(facts, relations));
  const nTest = Math.round(bySubject.size * o.testFraction);
  const nVal = Math.round((bySubject.size - nTest) * o.valFraction);
  const split = { test: new Set<string>(), val: new Set<string>(), train: new Set<string>() };
  for (const g of groups) {
    const side = split.test.size < nTest ? split.test : split.val.size < nVal ? split.val : split.train;
    for (const s of g) side.add(s);
  }

  const record = (f: Fact, target: string, n: number): EasyEditRecord => {
    const r = rel.get(f.relation)!;
    const [canonical, ...others] = r.templates;
    const neighbours = shuffle(byRelation.get(f.relation)!.filter((g) => g.subject !== f.subject)).slice(
      0,
      o.neighbours,
    );
    return {
      case_id: `${f.relation}:${f.subject}:${n}`,
      relation: f.relation,
      prompt: fill(canonical, f.subject),
      subject: f.subject,
      target_new: ' ' + target,
      ground_truth: ' ' + f.object,
      rephrase_prompts: others.map((t) => fill(t, f.subject)),
      locality: {
        neighborhood: neighbours.map((g) => ({
          prompt: fill(pick(rel.get(g.relation)!.templates), g.subject),
          ground_truth: ' ' + g.object,
        })),
        same_subject: bySubject
          .get(f.subject)!
          .filter((g) => g.relation !== f.relation)
          .map((g) => ({
            prompt: fill(rel.get(g.relation)!.templates[0], g.subject),
            ground_truth: ' ' + g.object,
          })),
      },
    };
  };

  const out: Record<'train' | 'val' | 'test', EasyEditRecord[]> = { train: [], val: [], test: [] };
  for (const f of facts) {
    const which = split.test.has(f.subject) ? 'test' : split.val.has(f.subject) ? 'val' : 'train';
    const objects = [...new Set(byRelation.get(f.relation)!.map((g) => g.object))]
      .filter((x) => x !== f.object)
      .sort();
    const targets = shuffle(objects).slice(0, which === 'train' ? o.trainTargetsPerFact : 1);
    targets.forEach((t, n) => out[which].push(record(f, t, n)));
  }
  return { ...out, subjects: { test: split.test.size, val: split.val.size, train: split.train.size } };
}

/**
 * The subjects, joined into groups that name one entity pair through a relation and its inverse (France and Paris
 * through capital / capital_of; Gold and Au through symbol / symbol_of), by union-find. Members and groups come
 * sorted, so the groups depend only on the facts.
 */
export function subjectGroups(facts: Fact[], relations: Relation[]): string[][] {
  const paired = new Set(relations.flatMap((r) => (r.inverseOf ? [r.id, r.inverseOf] : [])));
  const parent = new Map<string, string>(facts.map((f) => [f.subject, f.subject]));
  const root = (x: string): string => {
    while (parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  for (const f of facts) {
    if (!paired.has(f.relation) || !parent.has(f.object)) continue;
    const [a, b] = [root(f.subject), root(f.object)].sort();
    parent.set(b, a); // the smaller name stays the root: the result does not depend on the order of the facts
  }
  const groups = new Map<string, string[]>();
  for (const s of [...parent.keys()].sort()) groups.set(root(s), [...(groups.get(root(s)) ?? []), s]);
  return [...groups.values()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}
