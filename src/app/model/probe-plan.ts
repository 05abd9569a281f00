// Probes that follow the edit. When the draft's subject or relation changes, the probes the app chose (auto)
// are replaced by ones for the new fact: the edited relation's other phrasings (generalization) and
// neighbouring facts (locality), from the fact world's relation templates. Those templates describe real-world
// relations (capitals, languages, elements), so they serve any model, not only the embedded one. Probes the
// user wrote are kept and marked; one that names the previous subject is flagged, never silently reused.
// Pure functions; the store action is in store/actions/probes.ts.

import { fill, findRelation, suggestProbes, type FactWorld } from './facts.ts';

export const AUTO_PER_GROUP = 3;

export interface ProbePlan {
  /** What the auto probes are for: "subject\u0000relation id", or "subject\u0000" when no relation fits. */
  basis: string;
  gen: string[];
  loc: string[];
  /** Set when no phrasing fits the prompt: the sentence asking the user for paraphrases. */
  ask: string | null;
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ');

/** The probes for a draft; null while the draft is not a complete request (subject not in the prompt). */
export function planProbes(world: FactWorld, draft: { prompt: string; subject: string }): ProbePlan | null {
  const subject = draft.subject.trim();
  if (!subject || !draft.prompt.includes(subject)) return null;
  const relation = findRelation(world, draft.prompt, subject);
  const s = suggestProbes(world, draft, [], 8);
  const basis = `${subject}\u0000${relation?.id ?? ''}`;
  if (!relation)
    return {
      basis,
      gen: [],
      loc: s.loc.slice(0, AUTO_PER_GROUP),
      ask: `“${draft.prompt.trim().slice(0, 80)}” matches none of the known phrasings, so no paraphrase could be made for it: write one or two ways of asking the same question.`,
    };
  return { basis, gen: s.gen.slice(0, AUTO_PER_GROUP), loc: s.loc.slice(0, AUTO_PER_GROUP), ask: null };
}

/** Every probe text the fact world would give this draft (to tell a link's auto probes from written ones). */
export function knownProbeTexts(world: FactWorld, draft: { prompt: string; subject: string }): Set<string> {
  const s = suggestProbes(world, draft, [], 64);
  const subject = draft.subject.trim();
  const own = world.relations.flatMap((r) => r.templates.map((t) => fill(t, subject)));
  return new Set([...s.gen, ...s.loc, ...own].map(norm));
}

export interface PlannedProbe {
  text: string;
  origin: 'auto' | 'user';
  /** The subject the probe was written or chosen for. */
  forSubject: string;
}

/**
 * The probe list after the draft moved to `plan`: user probes first as they were, then the plan's probes.
 * Auto probes of the previous basis are dropped; a plan probe the user already wrote is not added twice.
 */
export function followPlan(current: readonly PlannedProbe[], planned: readonly string[], subject: string) {
  const user = current.filter((p) => p.origin === 'user');
  const have = new Set(user.map((p) => norm(p.text)));
  const auto = planned
    .filter((t) => !have.has(norm(t)))
    .map((text): PlannedProbe => ({ text, origin: 'auto', forSubject: subject }));
  return [...user, ...auto];
}

/** A user probe that names another subject than the draft's (e.g. written for France, draft now Japan). */
export function staleFor(p: PlannedProbe, subject: string): string | null {
  const s = subject.trim();
  if (!p.forSubject || !s || p.forSubject === s) return null;
  return p.text.includes(p.forSubject) && !p.text.includes(s) ? p.forSubject : null;
}
