// MQuAKE (Zhong et al. 2023), multi-hop questions over chained counterfactual edits:
//   {case_id, requested_rewrite: [{prompt: "{} ...", subject, target_new: {str}, target_true: {str},
//    relation_id, question}], questions, new_answer, single_hops: [{question, cloze, answer}], new_single_hops}
// Mapping (our choice, since MQuAKE scores whole chains rather than single edits):
// - Each requested_rewrite entry k is one EditCase, id `${case_id}:${k}`, group `${case_id}`: the case's edits
//   are meant to be applied together, as MQuAKE does.
// - Generality of edit k: its own single-hop `question` (kind 'question', target = the edit's target). The
//   multi-hop `questions` answer `new_answer` only once EVERY edit of the chain is in, so they are attached to
//   the case's last edit as kind 'multi-hop' with target new_answer; score them after applying the group.
// - Locality: the `single_hops` of the original chain whose cloze is not one of the case's edit prompts (e.g.
//   "The director of The Beatles is → Brian Epstein" when Madonna's director was edited). They are real,
//   unedited facts next to the edits; their answers are the dataset's. Every edit of the case gets them.
// - new_single_hops restate the edits themselves (cloze = filled edit prompt) and are not used.

import { EditDataError, type EditCase, type GenProbe, type LocProbe } from '../types.ts';
import { finishCase, recordsOf } from './common.ts';

export const MQUAKE_SHAPE =
  'MQuAKE records {case_id, requested_rewrite: [{prompt, subject, target_new, target_true}], questions, new_answer}';

export function readMquake(json: unknown, fileName: string): EditCase[] {
  return recordsOf(json, fileName, MQUAKE_SHAPE).flatMap((r) => {
    const caseId = r.id('case_id');
    const rewrites = r.objects('requested_rewrite', false);
    const questions = r.textList('questions');
    const newAnswer = questions.length > 0 ? r.text('new_answer') : undefined;
    const filled = rewrites.map((rw, k) => {
      const template = rw.text('prompt');
      if (!template.includes('{}'))
        throw new EditDataError(
          `${r.where}: "requested_rewrite[${k}].prompt" must be a template with "{}" where the subject goes, got "${template}".`,
        );
      return template.replaceAll('{}', rw.text('subject')).trimEnd();
    });
    const loc: LocProbe[] = r.has('single_hops')
      ? r
          .objects('single_hops', true)
          .map((hop) => ({ prompt: hop.text('cloze').trimEnd(), answer: hop.text('answer') }))
          .filter((hop) => !filled.includes(hop.prompt))
          .map((hop) => ({ ...hop, kind: 'unedited-hop' }))
      : [];
    return rewrites.map((rw, k) => {
      const gen: GenProbe[] = rw.has('question') ? [{ prompt: rw.text('question'), kind: 'question' }] : [];
      if (k === rewrites.length - 1 && newAnswer !== undefined)
        gen.push(...questions.map((prompt) => ({ prompt, target: newAnswer, kind: 'multi-hop' })));
      return finishCase(
        {
          id: `${caseId}:${k}`,
          prompt: filled[k],
          subject: rw.text('subject'),
          target: rw.object('target_new').text('str'),
          groundTruth: rw.object('target_true').text('str'),
          gen,
          loc: loc.map((l) => ({ ...l })),
          relation: rw.optionalText('relation_id'),
          group: caseId,
          source: `mquake:${fileName}`,
        },
        `${r.where}, requested_rewrite[${k}]`,
      );
    });
  });
}
