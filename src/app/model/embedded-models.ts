// The models built into the app: folders under public/models/, each with its weights, tokenizer, editor files
// and the facts/phrasings it was trained on (facts.json, read for the probes). The link schema, the model
// picker and the probes' facts all read this list, so offering another built-in model is one entry here (and
// its folder under public/models/ with a facts.json). The first entry is the default; links name a model, so an
// entry is never renamed or removed (old links keep naming fact-world v1).

export const EMBEDDED_MODELS = [
  {
    name: 'fact-world',
    about:
      'A small GPT-2 trained in this project on a world of facts (capitals, continents, languages, currencies, chemical elements). Loads in seconds.',
  },
  {
    name: 'fact-world-v2',
    about:
      'Its larger sibling (6 blocks): 14 relations, adding landmarks, stars, companies and people, with the subject first in half of the phrasings; it recalls a fact at the subject, as ROME expects. Every method, with MEND and IBKE editors trained for it; IBKE still moves other subjects of the edited relation, and ROME the subject’s other relations (see docs/results.md).',
  },
] as const;

export type EmbeddedName = (typeof EMBEDDED_MODELS)[number]['name'];

/** The built-in model a first visit (and the default session) opens. */
export const DEFAULT_EMBEDDED: EmbeddedName = EMBEDDED_MODELS[0].name;

export const isEmbeddedName = (v: unknown): v is EmbeddedName => EMBEDDED_MODELS.some((m) => m.name === v);

/** Where a built-in model's facts and phrasings are served from. */
export const factsPath = (name: EmbeddedName) => `models/${name}/facts.json`;
