// CounterFact (Meng et al. 2022, ROME), as in ROME's counterfact.json:
//   {case_id, requested_rewrite: {prompt: "{} ...", subject, target_new: {str}, target_true: {str}},
//    paraphrase_prompts, neighborhood_prompts, attribute_prompts, generation_prompts}
// Mapping (ROME's compute_rewrite_quality_counterfact):
// - prompt: the template with "{}" filled by the subject; target: target_new.str; groundTruth: target_true.str.
// - paraphrase_prompts → generality probes (kind 'rephrase').
// - neighborhood_prompts (other subjects whose true object is target_true) → locality, answer target_true.
// - attribute_prompts (subjects whose true object is target_new) → locality, answer target_new: an edit that
//   leaks into them is not a locality failure by argmax, but their distributions must not move either.
// - generation_prompts are for free-running fluency/consistency, not teacher-forced scores: not used.
// Probe lists may hold strings or {prompt} objects (some re-releases wrap them).

import { EditDataError, type EditCase, type LocProbe } from '../types.ts';
import { finishCase, isObject, recordsOf, type RecordFields } from './common.ts';

export const COUNTERFACT_SHAPE =
  'CounterFact records {case_id, requested_rewrite: {prompt, subject, target_new: {str}, target_true: {str}}, ...}';

export function readCounterFact(json: unknown, fileName: string): EditCase[] {
  return recordsOf(json, fileName, COUNTERFACT_SHAPE).map((r) => {
    const rw = r.object('requested_rewrite');
    const subject = rw.text('subject');
    const template = rw.text('prompt');
    if (!template.includes('{}'))
      throw new EditDataError(
        `${r.where}: "requested_rewrite.prompt" must be a template with "{}" where the subject goes, got "${template}".`,
      );
    const target = rw.object('target_new').text('str');
    const groundTruth = rw.object('target_true').text('str');
    const loc: LocProbe[] = [
      ...promptList(r, 'neighborhood_prompts').map((prompt) => ({
        prompt,
        answer: groundTruth,
        kind: 'neighborhood',
      })),
      ...promptList(r, 'attribute_prompts').map((prompt) => ({ prompt, answer: target, kind: 'attribute' })),
    ];
    return finishCase(
      {
        id: r.id('case_id'),
        prompt: template.replaceAll('{}', subject),
        subject,
        target,
        groundTruth,
        gen: promptList(r, 'paraphrase_prompts').map((prompt) => ({ prompt, kind: 'rephrase' })),
        loc,
        relation: rw.optionalText('relation_id'),
        source: `counterfact:${fileName}`,
      },
      r.where,
    );
  });
}

/** A list of prompts given as strings or as {prompt} objects; missing gives []. */
function promptList(r: RecordFields, field: string): string[] {
  const v = r.raw[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) r.fail(field, 'a list of prompts', v);
  return v.map((item: unknown, j) => {
    const prompt = isObject(item) ? item.prompt : item;
    if (typeof prompt !== 'string' || prompt.trim() === '')
      r.fail(`${field}[${j}]`, 'a non-empty string or {prompt: string}', item);
    return prompt;
  });
}
