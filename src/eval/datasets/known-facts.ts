// ROME's known_1000 (facts GPT-2 XL gets right, used there for causal tracing):
//   {known_id, subject, attribute, template, prediction, prompt, relation_id}
// These are true facts with no counterfactual, so an edit request is built deterministically (our choice):
// - target: the attribute of the next record of the same relation_id in file order (wrapping around) whose
//   attribute differs (case-insensitively) from this one's: "Vinson Massif is located in the continent of"
//   → " Antarctica" becomes → the next P30 record's continent. groundTruth: the record's own attribute.
// - loc: the next 2 records of the same relation with another subject, answered with their true attribute
//   (method.md's "other subjects of the same relation").
// - gen: none; the file has no paraphrases (its `template` is the prompt minus its last word, not a paraphrase).
// A record whose relation offers no other attribute cannot become an edit: it is skipped through onSkip.

import type { EditCase, ReadOptions } from '../types.ts';
import { finishCase, groupIndices, recordsOf, sameRelationNeighbours } from './common.ts';

export const KNOWN_FACTS_SHAPE =
  'ROME known_1000 records {known_id, subject, attribute, template, prompt, relation_id}';

const NEIGHBOURS = 2;

export function readKnownFacts(json: unknown, fileName: string, options: ReadOptions = {}): EditCase[] {
  const records = recordsOf(json, fileName, KNOWN_FACTS_SHAPE);
  const facts = records.map((r) => ({
    id: r.has('known_id') ? r.id('known_id') : String(r.index),
    prompt: r.text('prompt'),
    subject: r.text('subject'),
    relation: r.text('relation_id'),
    answer: r.text('attribute'),
  }));
  const counterfactual = nextOtherAnswer(facts);
  const neighbours = sameRelationNeighbours(facts, NEIGHBOURS);
  const cases: EditCase[] = [];
  facts.forEach((f, i) => {
    const target = counterfactual[i];
    if (target === undefined) {
      const reason = `relation ${f.relation} has no other attribute to use as the new target`;
      options.onSkip?.({ index: i, id: f.id, reason });
      return;
    }
    cases.push(
      finishCase(
        {
          id: f.id,
          prompt: f.prompt,
          subject: f.subject,
          target,
          groundTruth: f.answer,
          gen: [],
          loc: neighbours[i],
          relation: f.relation,
          source: `known-facts:${fileName}`,
        },
        records[i].where,
      ),
    );
  });
  return cases;
}

/** For each fact, the answer of the next fact of its relation (wrapping) whose answer differs; O(n) per relation. */
function nextOtherAnswer(facts: { relation: string; answer: string }[]): (string | undefined)[] {
  const byRelation = groupIndices(facts.map((f) => f.relation));
  const out: (string | undefined)[] = facts.map(() => undefined);
  const key = (i: number) => facts[i].answer.trim().toLowerCase();
  for (const members of byRelation.values()) {
    members.forEach((i, pos) => {
      for (let step = 1; step < members.length; step++) {
        const j = members[(pos + step) % members.length];
        if (key(j) !== key(i)) {
          out[i] = facts[j].answer;
          break;
        }
      }
    });
  }
  return out;
}
