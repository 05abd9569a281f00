// Shared checks for dataset readers: every field is read through `RecordFields`, so a malformed record gives an
// EditDataError that names the file, the record index and the field path; `finishCase` applies the text
// conventions documented in ../types.ts (trimmed prompts, leading-space targets, subject inside the prompt).

import { EditDataError, type EditCase, type GenProbe, type LocProbe } from '../types.ts';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short description of a value for error messages ("a number", "an empty string", "null"). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing (the field is missing)';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  if (typeof v === 'string') return v.trim() === '' ? 'an empty string' : `the string "${v.slice(0, 40)}"`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/**
 * The records of a JSON dataset: a non-empty array of objects. `expected` describes one record's shape for the
 * message ("CounterFact records {case_id, requested_rewrite, ...}").
 */
export function recordsOf(json: unknown, fileName: string, expected: string): RecordFields[] {
  if (!Array.isArray(json))
    throw new EditDataError(`${fileName}: expected a JSON array of ${expected}, got ${describeValue(json)}.`);
  if (json.length === 0)
    throw new EditDataError(`${fileName}: the array is empty; expected at least one of ${expected}.`);
  return json.map((raw, i) => {
    const where = `${fileName}, record ${i}`;
    if (!isObject(raw)) throw new EditDataError(`${where}: expected an object, got ${describeValue(raw)}.`);
    return new RecordFields(raw, where, i);
  });
}

/** Typed access to one record's fields; every failure names `where` and the field path. */
export class RecordFields {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly where: string,
    readonly index: number,
    private readonly path = '',
  ) {}

  fail(field: string, expected: string, got: unknown): never {
    throw new EditDataError(
      `${this.where}: "${this.path}${field}" must be ${expected}, got ${describeValue(got)}.`,
    );
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  text(field: string): string {
    const v = this.raw[field];
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, 'a non-empty string', v);
    return v;
  }

  optionalText(field: string): string | undefined {
    return this.has(field) ? this.text(field) : undefined;
  }

  /** A string, or a list whose first entry is taken (EasyEdit and ZsRE give alias lists, sometimes nested). */
  firstText(field: string): string {
    let v = this.raw[field];
    while (Array.isArray(v) && v.length > 0) v = v[0];
    if (typeof v !== 'string' || v.trim() === '')
      this.fail(field, 'a non-empty string or list of strings', v);
    return v;
  }

  /** A list of non-empty strings; a lone string counts as a list of one. Missing gives []. */
  textList(field: string): string[] {
    const v = this.raw[field];
    if (v === undefined || v === null) return [];
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list)) this.fail(field, 'a list of strings', v);
    list.forEach((s, j) => {
      if (typeof s !== 'string' || s.trim() === '') this.fail(`${field}[${j}]`, 'a non-empty string', s);
    });
    return list as string[];
  }

  /** A number or a non-empty string, as a string (case ids). */
  id(field: string): string {
    const v = this.raw[field];
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string' && v.trim() !== '') return v;
    return this.fail(field, 'a number or a non-empty string', v);
  }

  object(field: string): RecordFields {
    const v = this.raw[field];
    if (!isObject(v)) this.fail(field, 'an object', v);
    return new RecordFields(v, this.where, this.index, `${this.path}${field}.`);
  }

  /** A list of objects; `allowEmpty` false makes [] an error. */
  objects(field: string, allowEmpty: boolean): RecordFields[] {
    const v = this.raw[field];
    if (!Array.isArray(v) || (!allowEmpty && v.length === 0))
      this.fail(field, allowEmpty ? 'a list of objects' : 'a non-empty list of objects', v);
    return v.map((item, j) => {
      const at = `${field}[${j}]`;
      if (!isObject(item)) this.fail(at, 'an object', item);
      return new RecordFields(item, this.where, this.index, `${this.path}${at}.`);
    });
  }
}

/** GPT-2-style completions start with whitespace (see ../types.ts). */
export function withLeadingSpace(s: string): string {
  return /^\s/.test(s) ? s : ` ${s}`;
}

/** An EditCase as a reader builds it, before the shared conventions are applied. */
export interface CaseDraft extends Omit<EditCase, 'gen' | 'loc'> {
  gen?: GenProbe[];
  loc?: LocProbe[];
}

/**
 * Applies the conventions of ../types.ts: right-trimmed prompts, leading-space completions, gen targets equal
 * to the edit target stored as absent (so an EasyEdit write/read round trip is exact), and the subject inside
 * the prompt. `where` names the record for the error.
 */
export function finishCase(draft: CaseDraft, where: string): EditCase {
  const prompt = draft.prompt.trimEnd();
  const subject = draft.subject.trim();
  if (!prompt.includes(subject)) {
    throw new EditDataError(
      `${where}: the subject "${subject}" does not occur in the prompt "${prompt}"; ` +
        'the subject must be copied verbatim from the prompt (same spelling and capitals).',
    );
  }
  const target = withLeadingSpace(draft.target);
  const gen = (draft.gen ?? []).map((g): GenProbe => {
    const own = g.target === undefined ? undefined : withLeadingSpace(g.target);
    return dropUndefined({
      prompt: g.prompt.trimEnd(),
      target: own === target ? undefined : own,
      kind: g.kind,
    });
  });
  const loc = (draft.loc ?? []).map((l): LocProbe => {
    const answer = l.answer === undefined ? undefined : withLeadingSpace(l.answer);
    return dropUndefined({ prompt: l.prompt.trimEnd(), answer, kind: l.kind });
  });
  return dropUndefined({
    id: draft.id,
    prompt,
    subject,
    target,
    groundTruth: draft.groundTruth === undefined ? undefined : withLeadingSpace(draft.groundTruth),
    gen,
    loc,
    relation: draft.relation,
    group: draft.group,
    source: draft.source,
  });
}

/** Optional fields are absent rather than `undefined`, so cases compare with toEqual after a round trip. */
function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** A fact (subject, relation, answer) in a prompt, for same-relation neighbours. */
export interface Fact {
  prompt: string;
  subject: string;
  relation: string;
  answer: string;
}

/**
 * Locality probes "other subjects of the same relation" (method.md): for fact i, the next `k` facts after it
 * in file order (wrapping around) with the same relation and a different subject, answered with their own
 * (true) answer. Deterministic; a relation with a single subject gives none. O(n) for the grouping.
 */
export function sameRelationNeighbours(facts: Fact[], k: number): LocProbe[][] {
  const byRelation = groupIndices(facts.map((f) => f.relation));
  const out: LocProbe[][] = facts.map(() => []);
  for (const members of byRelation.values()) {
    members.forEach((i, pos) => {
      for (let step = 1; step < members.length && out[i].length < k; step++) {
        const j = members[(pos + step) % members.length];
        if (facts[j].subject === facts[i].subject) continue;
        out[i].push({ prompt: facts[j].prompt, answer: facts[j].answer, kind: 'neighborhood' });
      }
    });
  }
  return out;
}

/** Indices grouped by key, each group in ascending index order; groups in first-appearance order. */
export function groupIndices(keys: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  });
  return groups;
}
