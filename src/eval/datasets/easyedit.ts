// EasyEdit-style edit records (zjunlp/EasyEdit's JSON; our fact-world benchmark writes the same shape):
//   {case_id?, prompt, subject, target_new, ground_truth?, rephrase_prompt | rephrase_prompts,
//    locality?: {name: probe | probe[]}, portability?: {name: probe | probe[]}, relation?}
// with probe = {prompt: string | string[], ground_truth?: string | string[] | string[][]}.
// Locality probes keep their group name as `kind`; portability probes become generality probes with their own
// target (kind = group name). `writeEasyEdit` writes EditCase[] back in this shape (plus `group` and `source`,
// which EasyEdit ignores), so a read/write/read round trip gives the same cases.

import type { EditCase, GenProbe, LocProbe } from '../types.ts';
import { finishCase, isObject, recordsOf, RecordFields } from './common.ts';

export const EASYEDIT_SHAPE = 'EasyEdit records {prompt, subject, target_new, rephrase_prompts?, locality?}';

export function readEasyEdit(json: unknown, fileName: string): EditCase[] {
  return recordsOf(json, fileName, EASYEDIT_SHAPE).map((r) => {
    const rephrases = r.textList(r.has('rephrase_prompts') ? 'rephrase_prompts' : 'rephrase_prompt');
    const portability = probeGroups(r, 'portability');
    const gen: GenProbe[] = [
      ...rephrases.map((prompt) => ({ prompt, kind: 'rephrase' })),
      ...portability.map((p) => {
        if (p.answer === undefined)
          r.fail(`portability.${p.kind}`, 'probes with a "ground_truth"', undefined);
        return { prompt: p.prompt, target: p.answer, kind: p.kind };
      }),
    ];
    return finishCase(
      {
        id: r.has('case_id') ? r.id('case_id') : String(r.index),
        prompt: r.text('prompt'),
        subject: r.text('subject'),
        target: r.firstText('target_new'),
        groundTruth: r.has('ground_truth') ? r.firstText('ground_truth') : undefined,
        gen,
        loc: [...probeGroups(r, 'locality'), ...flatLocality(r)],
        relation: r.optionalText('relation') ?? r.optionalText('relation_id'),
        group: r.optionalText('group'),
        source: r.optionalText('source') ?? `easyedit:${fileName}`,
      },
      r.where,
    );
  });
}

type KindedProbe = LocProbe & { kind: string };

/**
 * RECIPE's CounterFact split (qizhou000/RECIPE, ../shared/data/counterfact-recipe) flattens one neighbourhood
 * probe into `locality_prompt` + `locality_ground_truth`: read as a locality probe of kind 'neighborhood'.
 */
function flatLocality(r: RecordFields): KindedProbe[] {
  if (!r.has('locality_prompt')) return [];
  const answer = r.has('locality_ground_truth') ? r.firstText('locality_ground_truth') : undefined;
  return [{ prompt: r.text('locality_prompt'), answer, kind: 'neighborhood' }];
}

/**
 * `{name: probe | probe[]}` → probes with kind = name. A probe's prompt may be a list with a parallel list of
 * answers; an answer may itself be a list of aliases (the first is taken); one answer may serve every prompt.
 */
function probeGroups(r: RecordFields, field: string): KindedProbe[] {
  if (!r.has(field)) return [];
  const groups = r.object(field);
  const out: KindedProbe[] = [];
  for (const [name, value] of Object.entries(groups.raw)) {
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item, j) => {
      const at = Array.isArray(value) ? `${field}.${name}[${j}]` : `${field}.${name}`;
      if (!isObject(item)) r.fail(at, 'an object {prompt, ground_truth}', item);
      const probe = new RecordFields(item, r.where, r.index, `${at}.`);
      const prompts = probe.textList('prompt');
      if (prompts.length === 0) probe.fail('prompt', 'a non-empty string or list of strings', item.prompt);
      const answers = answerList(probe, prompts.length);
      prompts.forEach((prompt, k) => out.push({ prompt, answer: answers?.[k], kind: name }));
    });
  }
  return out;
}

/** One answer per prompt, or undefined when the probe gives none (the evaluator then uses the greedy answer). */
function answerList(probe: RecordFields, nPrompts: number): string[] | undefined {
  const raw = probe.raw.ground_truth;
  if (raw === undefined || raw === null) return undefined;
  const parallel = Array.isArray(probe.raw.prompt) && Array.isArray(raw) && raw.length === nPrompts;
  if (!parallel && Array.isArray(probe.raw.prompt) && Array.isArray(raw) && raw.length > 1)
    probe.fail(
      'ground_truth',
      `one answer per prompt (${nPrompts}) or a single answer, not ${raw.length}`,
      raw,
    );
  if (!parallel) {
    // A single answer (or one alias list) for every prompt.
    const answer = probe.firstText('ground_truth');
    return Array.from({ length: nPrompts }, () => answer);
  }
  return raw.map((entry: unknown, k) => {
    let v = entry;
    while (Array.isArray(v) && v.length > 0) v = v[0];
    if (typeof v !== 'string' || v.trim() === '')
      probe.fail(`ground_truth[${k}]`, 'a non-empty string or list of strings', entry);
    return v;
  });
}

/** One EasyEdit record as `writeEasyEdit` writes it. */
export interface EasyEditRecord {
  case_id: string;
  prompt: string;
  subject: string;
  target_new: string;
  ground_truth?: string;
  rephrase_prompts: string[];
  portability?: Record<string, { prompt: string; ground_truth: string }[]>;
  locality: Record<string, { prompt: string; ground_truth?: string }[]>;
  relation?: string;
  group?: string;
  source: string;
}

/**
 * EditCase → EasyEdit record. Generality probes of kind 'rephrase' (or no kind) without their own target go to
 * `rephrase_prompts`; the others to `portability[kind]` with their target (the edit's target when absent).
 * Locality probes go to `locality[kind ?? 'neighborhood']`; an absent answer is written as no ground_truth.
 */
export function toEasyEditRecord(c: EditCase): EasyEditRecord {
  const rephrases: string[] = [];
  const portability: NonNullable<EasyEditRecord['portability']> = {};
  for (const g of c.gen) {
    if (g.target === undefined && (g.kind === undefined || g.kind === 'rephrase')) rephrases.push(g.prompt);
    else
      (portability[g.kind ?? 'portability'] ??= []).push({
        prompt: g.prompt,
        ground_truth: g.target ?? c.target,
      });
  }
  const locality: EasyEditRecord['locality'] = {};
  for (const l of c.loc) {
    const probe =
      l.answer === undefined ? { prompt: l.prompt } : { prompt: l.prompt, ground_truth: l.answer };
    (locality[l.kind ?? 'neighborhood'] ??= []).push(probe);
  }
  const record: EasyEditRecord = {
    case_id: c.id,
    prompt: c.prompt,
    subject: c.subject,
    target_new: c.target,
    rephrase_prompts: rephrases,
    locality,
    source: c.source,
  };
  if (c.groundTruth !== undefined) record.ground_truth = c.groundTruth;
  if (Object.keys(portability).length > 0) record.portability = portability;
  if (c.relation !== undefined) record.relation = c.relation;
  if (c.group !== undefined) record.group = c.group;
  return record;
}

/** EditCase[] → EasyEdit JSON text (2-space indented, trailing newline). */
export function writeEasyEdit(cases: readonly EditCase[]): string {
  return `${JSON.stringify(cases.map(toEasyEditRecord), null, 2)}\n`;
}
