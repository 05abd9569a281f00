// Probe suggestions for the fact-world model, from data/fact-world/facts.json: other phrasings of the edited
// relation (generality, as CounterFact's paraphrase prompts) and neighbouring facts that must not move
// (locality: the same relation for subjects that share other facts with the edited one, as CounterFact's
// neighbourhood prompts, and the subject's other relations, as its attribute prompts). Pure functions over the
// parsed file; facts-loader.ts fetches it.

export interface FactRelation {
  id: string;
  description: string;
  /** `{}` marks the subject; the first is the canonical prompt. */
  templates: string[];
}

export interface Fact {
  subject: string;
  relation: string;
  object: string;
}

export interface FactWorld {
  relations: FactRelation[];
  facts: Fact[];
}

export interface ProbeSuggestions {
  gen: string[];
  loc: string[];
  /** One sentence on where the suggestions came from (or why there are none). */
  note: string;
}

export class FactWorldError extends Error {
  override name = 'FactWorldError';
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length < 300;

/** Checks the shape of facts.json; anything off is a FactWorldError naming the entry. */
export function parseFactWorld(json: unknown): FactWorld {
  const o = json as { relations?: unknown; facts?: unknown };
  if (typeof json !== 'object' || json === null || !Array.isArray(o.relations) || !Array.isArray(o.facts))
    throw new FactWorldError('facts.json should hold { relations: [...], facts: [...] }.');
  const relations = o.relations.map((r: unknown, i): FactRelation => {
    const x = r as Partial<FactRelation>;
    if (
      !isText(x?.id) ||
      !Array.isArray(x.templates) ||
      !x.templates.every((t) => isText(t) && t.includes('{}'))
    )
      throw new FactWorldError(`facts.json relations[${i}] needs an id and templates that contain "{}".`);
    return {
      id: x.id,
      description: isText(x.description) ? x.description : x.id,
      templates: [...x.templates],
    };
  });
  const ids = new Set(relations.map((r) => r.id));
  const facts = o.facts.map((f: unknown, i): Fact => {
    const x = f as Partial<Fact>;
    if (!isText(x?.subject) || !isText(x.relation) || !isText(x.object) || !ids.has(x.relation))
      throw new FactWorldError(`facts.json facts[${i}] needs a subject, a known relation and an object.`);
    return { subject: x.subject, relation: x.relation, object: x.object };
  });
  return { relations, facts };
}

export function fill(template: string, subject: string): string {
  return template.replace('{}', subject);
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ');

/** The relation one of whose templates, filled with `subject`, is the prompt (whitespace-insensitive). */
export function findRelation(world: FactWorld, prompt: string, subject: string): FactRelation | null {
  const p = norm(prompt);
  return world.relations.find((r) => r.templates.some((t) => norm(fill(t, subject)) === p)) ?? null;
}

/**
 * Subjects that share the most (relation, object) pairs with `subject`, other than `exceptRelation`, and
 * that have a fact for `relation`; ties keep the file's order. France -> Germany, Italy, ... (Europe, Euro).
 */
export function neighbours(world: FactWorld, subject: string, relation: string, count: number): string[] {
  const own = new Set(
    world.facts
      .filter((f) => f.subject === subject && f.relation !== relation)
      .map((f) => `${f.relation}\u0000${f.object}`),
  );
  const withRelation = new Set(world.facts.filter((f) => f.relation === relation).map((f) => f.subject));
  const shared = new Map<string, number>();
  for (const f of world.facts) {
    if (f.subject === subject || !withRelation.has(f.subject)) continue;
    if (own.has(`${f.relation}\u0000${f.object}`)) shared.set(f.subject, (shared.get(f.subject) ?? 0) + 1);
  }
  return [...shared.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([s]) => s);
}

/** Suggested probes for an edit request, leaving out those already present (`existing`). */
export function suggestProbes(
  world: FactWorld,
  request: { prompt: string; subject: string },
  existing: readonly string[] = [],
  perGroup = 4,
): ProbeSuggestions {
  const subject = request.subject.trim();
  const have = new Set([request.prompt, ...existing].map(norm));
  const fresh = (xs: string[]) => [...new Set(xs)].filter((x) => !have.has(norm(x))).slice(0, perGroup);
  const relation = subject ? findRelation(world, request.prompt, subject) : null;
  const subjectFacts = world.facts.filter((f) => f.subject === subject);
  const relationOf = (id: string) => world.relations.find((r) => r.id === id)!;
  const otherRelations = subjectFacts
    .filter((f) => f.relation !== relation?.id)
    .map((f) => fill(relationOf(f.relation).templates[0], subject));
  if (!relation) {
    if (subjectFacts.length === 0)
      return {
        gen: [],
        loc: [],
        note: `The fact world has no facts about "${subject.slice(0, 60)}"; write probes by hand.`,
      };
    return {
      gen: [],
      loc: fresh(otherRelations),
      note: 'The prompt is not one of the fact world\u2019s phrasings, so only locality probes are suggested.',
    };
  }
  const paraphrases = relation.templates.map((t) => fill(t, subject));
  const neighbourProbes = neighbours(world, subject, relation.id, perGroup).map((s) =>
    fill(relation.templates[0], s),
  );
  // Interleave: neighbours of the same relation first (the hardest locality cases), then other relations.
  const loc: string[] = [];
  for (let i = 0; i < Math.max(neighbourProbes.length, otherRelations.length); i++) {
    if (neighbourProbes[i]) loc.push(neighbourProbes[i]);
    if (otherRelations[i]) loc.push(otherRelations[i]);
  }
  return {
    gen: fresh(paraphrases),
    loc: fresh(loc),
    note: `Relation: ${relation.description}. Generality: its other phrasings; locality: neighbouring subjects and ${subject.slice(0, 60)}\u2019s other facts.`,
  };
}
