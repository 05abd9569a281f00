// Profile lines: the part of fact-world v2's corpus that puts recall at the subject (issue 13).
//
// Why: v2's first model, trained on template sentences only, recalled every fact at the prompt's LAST token after
// block 0 (its attention copies the subject's token there and block 0's MLP looks up subject × relation). Nothing
// in that corpus asks the subject's own position for anything: the loss is scored only after the relation words,
// so the cheapest solution is a (subject, relation) look-up table at the end of the prompt. In real text the
// tokens after a name depend on what the name stands for, so GPT-2 builds the subject's attributes at its last
// token (ROME's "enrichment" in middle-layer MLPs) and later positions read the one they need.
//
// A profile entry names a subject and lists ALL its objects directly after it, with no relation word in between,
// in a fresh random order each time: "Armenia Yerevan, Asia, dram, Armenian". The first object is predicted AT the
// subject's last token, which has not seen any relation, and since the order is random it must predict any of the
// subject's attributes: its hidden state has to carry them all (a look-up keyed on the subject alone, the one
// ROME edits). Three entries of random subjects share a line ("...; Peru Lima, South America, ...; Ytterbium Yb,
// 70."), so a subject is seen at the line start and in the middle of text, and an attribute predicted later in a
// line must come from the right subject among several. Only the objects (and their separators) are scored; the
// subjects' names are context, as in the template lines.
//
// Format: tab-separated segments, alternately context and scored (the template lines are the two-segment case,
// "prompt<TAB> object."); tools/fact-world-v2/tokens.ts reads both.

import { rng } from '../../src/util/random.ts';
import type { Fact } from '../fact-world/facts.ts';

export interface ProfileOptions {
  seed: number;
  /** How many entries each subject gets (each with its own order of the objects). */
  perSubject: number;
  /** Entries per line. */
  perLine: number;
}

export const PROFILE_DEFAULTS: ProfileOptions = { seed: 1, perSubject: 3, perLine: 3 };

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Every subject's distinct objects, subjects in the facts' first-seen order (deterministic). */
export function objectsBySubject(facts: Fact[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const f of facts) {
    const objs = m.get(f.subject) ?? [];
    if (!objs.includes(f.object)) objs.push(f.object);
    m.set(f.subject, objs);
  }
  return m;
}

/** The profile lines (segments joined by tabs), reproducible from the facts and the seed. */
export function profileLines(facts: Fact[], o: ProfileOptions = PROFILE_DEFAULTS): string[] {
  if (!Number.isInteger(o.perSubject) || o.perSubject < 0)
    throw new Error(`profiles: perSubject must be a non-negative integer, got ${o.perSubject}.`);
  if (!Number.isInteger(o.perLine) || o.perLine < 1)
    throw new Error(`profiles: perLine must be a positive integer, got ${o.perLine}.`);
  const rand = rng((o.seed * 2654435761 + 13) >>> 0);
  const entries: { subject: string; objects: string[] }[] = [];
  for (const [subject, objs] of objectsBySubject(facts))
    for (let k = 0; k < o.perSubject; k++) entries.push({ subject, objects: shuffle(objs, rand) });
  const order = shuffle(entries, rand);
  const lines: string[] = [];
  for (let i = 0; i < order.length; i += o.perLine) {
    const chunk = order.slice(i, i + o.perLine);
    const segs: string[] = [];
    chunk.forEach((e, j) => {
      // Context: the subject (after "; " for all but the first); scored: its objects and the separator.
      segs.push(j === 0 ? e.subject : ` ${e.subject}`);
      segs.push(' ' + e.objects.join(', ') + (j === chunk.length - 1 ? '.' : ';'));
    });
    lines.push(segs.join('\t'));
  }
  return lines;
}

/** A profile or template line as the model reads it: tabs only mark where scoring starts and stops. */
export const profileText = (line: string) => line.replaceAll('\t', '');
