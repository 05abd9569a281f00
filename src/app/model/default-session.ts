// THE DEFAULT SESSION: what a first-time visitor (or a broken link) opens. It edits the embedded fact-world
// model so that France's capital becomes Rome, and it is applied as soon as the model is loaded, so an edit
// happens within seconds. The probe phrasings are the fact world's own templates (data/fact-world/facts.json;
// default-session.test.ts checks that each one is there).

import type { MethodName } from '../../engine/types.ts';
import type { SessionDoc } from '../permalink/schema.ts';

const PROMPT = 'The capital of France is';
const SUBJECT = 'France';
const TARGET = ' Rome';

/** Generality: other phrasings of the same relation (they should now say Rome too). */
const GEN = [
  "France's capital city is",
  'The capital city of France is',
  'The seat of the government of France is',
];
/** Locality: a neighbouring subject of the same relation and the subject's other relations (must not move). */
const LOC = [
  'The capital of Germany is',
  'France is located in the continent of',
  'The official language of France is',
];

/** The default edit uses the first method of this list that the loaded model offers. */
export const DEFAULT_METHOD_PREFERENCE: readonly MethodName[] = ['ibke', 'rome', 'mend', 'ft'];

export function defaultSession(): SessionDoc {
  return {
    v: 1,
    model: { kind: 'embedded', name: 'fact-world' },
    edits: [
      {
        prompt: PROMPT,
        subject: SUBJECT,
        target: TARGET,
        method: 'ibke',
        settings: {},
        gen: [...GEN],
        loc: [...LOC],
      },
    ],
    draft: { prompt: PROMPT, subject: SUBJECT, target: TARGET, method: 'ibke', settings: {} },
    probes: { gen: [...GEN], loc: [...LOC] },
    seed: 0,
  };
}

/** The first preferred method the model has, or null when it has none of them. */
export function preferredMethod(available: readonly MethodName[]): MethodName | null {
  return DEFAULT_METHOD_PREFERENCE.find((m) => available.includes(m)) ?? null;
}
