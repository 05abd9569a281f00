// fact-world v2's relations and phrasings. v1's eight relations come back with new phrasing lists, and six relations
// from the LRE collection (Hernandez et al., "Linearity of Relation Decoding in Transformer LMs", MIT) join them.
//
// Why new phrasings: in v1 the subject usually stood at the end of the prompt ("The capital of France is"), so the
// model could read the relation first and look the fact up at the last position. Real text names the subject
// first about as often as last ("France's capital is", "France uses the"); there the model cannot know at the
// subject which attribute will be asked, and, as in GPT-2, the subject's attributes are recalled at its last token
// and read out later. Every relation here has as many subject-first phrasings as subject-last ones (a test
// checks it), and several sentence shapes (possessive, copula, prepositional, relative clause).

import type { Relation } from '../fact-world/relations.ts';

export type SubjectKind = 'country' | 'city' | 'element' | 'landmark' | 'star' | 'company' | 'person';

/** A v2 relation: v1's shape with more subject kinds, and where its facts come from. */
export interface RelationV2 extends Omit<Relation, 'subjectKind'> {
  subjectKind: SubjectKind;
  /** `lre:<file>` for the LRE relations; `v1` for the countries-list / chemical-elements ones. */
  source: string;
}

/** True when the subject opens the template (`{}` at the very start). */
export const subjectFirst = (template: string) => template.startsWith('{}');

export const RELATIONS_V2: RelationV2[] = [
  {
    id: 'capital',
    description: 'country → capital city',
    subjectKind: 'country',
    source: 'v1',
    templates: [
      'The capital of {} is',
      "{}'s capital city is",
      'The capital city of {} is',
      '{} has its capital in',
      'The seat of the government of {} is',
      '{} is governed from the city of',
    ],
  },
  {
    id: 'capital_of',
    description: 'capital city → country',
    subjectKind: 'city',
    source: 'v1',
    inverseOf: 'capital',
    templates: [
      '{} is the capital of',
      'The city of {} is the capital of',
      '{} is the capital city of',
      'The country whose capital is {} is',
    ],
  },
  {
    id: 'continent',
    description: 'country → continent',
    subjectKind: 'country',
    source: 'v1',
    templates: [
      '{} is located in the continent of',
      'The continent where {} is located is',
      '{} is a country in',
      'The continent of {} is',
    ],
  },
  {
    id: 'language',
    description: 'country → official language',
    subjectKind: 'country',
    source: 'v1',
    templates: [
      'The official language of {} is',
      "{}'s official language is",
      'In {}, people speak',
      '{} has the official language',
    ],
  },
  {
    id: 'currency',
    description: 'country → currency',
    subjectKind: 'country',
    source: 'v1',
    templates: [
      'The currency of {} is the',
      "{}'s currency is the",
      'The money used in {} is the',
      '{} pays with the',
    ],
  },
  {
    id: 'symbol',
    description: 'chemical element → symbol',
    subjectKind: 'element',
    source: 'v1',
    templates: [
      'The chemical symbol of {} is',
      '{} has the chemical symbol',
      'The symbol for {} is',
      "{}'s symbol is",
    ],
  },
  {
    id: 'symbol_of',
    description: 'chemical symbol → element',
    subjectKind: 'element',
    source: 'v1',
    inverseOf: 'symbol',
    templates: [
      'The chemical element with the symbol {} is',
      '{} is the chemical symbol of',
      'The element whose symbol is {} is',
      '{} is the symbol for',
    ],
  },
  {
    id: 'atomic_number',
    description: 'chemical element → atomic number',
    subjectKind: 'element',
    source: 'v1',
    templates: [
      'The atomic number of {} is',
      '{} has the atomic number',
      'The number of protons in an atom of {} is',
      "{}'s atomic number is",
    ],
  },
  {
    id: 'landmark_country',
    description: 'landmark → country',
    subjectKind: 'landmark',
    source: 'lre:landmark_in_country',
    templates: [
      '{} is in the country of',
      'The country where {} stands is',
      '{} is located in',
      'The landmark {} is in',
    ],
  },
  {
    id: 'star_constellation',
    description: 'star → constellation',
    subjectKind: 'star',
    source: 'lre:star_constellation',
    templates: [
      '{} is part of the constellation named',
      'The constellation of the star {} is',
      '{} is a star in the constellation',
      'The star {} belongs to the constellation',
    ],
  },
  {
    id: 'company_hq',
    description: 'company → city of its headquarters',
    subjectKind: 'company',
    source: 'lre:company_hq',
    templates: [
      '{} is headquartered in the city of',
      'The headquarters of {} are in the city of',
      "{}'s head office is in",
      'The company {} is based in',
    ],
  },
  {
    id: 'person_occupation',
    description: 'person → occupation',
    subjectKind: 'person',
    source: 'lre:person_occupation',
    templates: ['{} works as a', 'By profession, {} is a', "{}'s profession is", 'The occupation of {} is'],
  },
  {
    id: 'person_instrument',
    description: 'musician → instrument',
    subjectKind: 'person',
    source: 'lre:person_plays_instrument',
    templates: [
      '{} plays the',
      'The instrument played by {} is the',
      "{}'s instrument is the",
      'The musician {} plays the',
    ],
  },
  {
    id: 'person_sport',
    description: 'athlete → sport',
    subjectKind: 'person',
    source: 'lre:person_plays_pro_sport',
    templates: [
      '{} plays the sport of',
      'The sport played by {} is',
      "{}'s sport is",
      'The athlete {} plays',
    ],
  },
];
