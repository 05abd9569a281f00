// zsRE question answering as used by MEND (Mitchell et al. 2022) and EasyEdit's zsre files:
//   {src, alt, rephrase, loc, loc_ans, subject, answers?, case_id?}
// src (a question containing the subject) → prompt; alt → target; answers[0] → groundTruth; rephrase (one string
// or a list) → generality; loc ("nq question: ...") with loc_ans → one locality probe (kind 'nq').

import { EditDataError, type EditCase } from '../types.ts';
import { finishCase, recordsOf } from './common.ts';

export const ZSRE_SHAPE = 'zsRE/MEND records {src, alt, rephrase, loc, loc_ans, subject}';

export function readZsre(json: unknown, fileName: string): EditCase[] {
  return recordsOf(json, fileName, ZSRE_SHAPE).map((r) => {
    if (r.has('loc') !== r.has('loc_ans'))
      throw new EditDataError(
        `${r.where}: "loc" and "loc_ans" must be given together (a question and its answer).`,
      );
    const answers = r.textList('answers');
    return finishCase(
      {
        id: r.has('case_id') ? r.id('case_id') : String(r.index),
        prompt: r.text('src'),
        subject: r.text('subject'),
        target: r.firstText('alt'),
        groundTruth: answers[0],
        gen: r.textList('rephrase').map((prompt) => ({ prompt, kind: 'rephrase' })),
        loc: r.has('loc') ? [{ prompt: r.text('loc'), answer: r.firstText('loc_ans'), kind: 'nq' }] : [],
        source: `zsre:${fileName}`,
      },
      r.where,
    );
  });
}
