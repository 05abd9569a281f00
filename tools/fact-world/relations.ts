// The fact world's relations and their phrasings, in the style of CounterFact / zsRE prompts: each template is
// a prompt whose next tokens are the object (GPT-2 convention: the object starts with a space).

export interface Relation {
  id: string;
  /** What the relation maps, for people reading the data. */
  description: string;
  subjectKind: 'country' | 'city' | 'element';
  /**
   * The relation this one reverses (capital_of reverses capital): its subjects are the other relation's objects,
   * so both name the same entity pair and the benchmark keeps them on the same side of the train/test split.
   */
  inverseOf?: string;
  /** `{}` marks the subject. The first template is the canonical edit prompt. */
  templates: string[];
}

export const RELATIONS: Relation[] = [
  {
    id: 'capital',
    description: 'country → capital city',
    subjectKind: 'country',
    templates: [
      'The capital of {} is',
      "{}'s capital city is",
      'The capital city of {} is',
      "{}'s capital is",
      'The seat of the government of {} is',
      'The city that is the capital of {} is',
    ],
  },
  {
    id: 'capital_of',
    description: 'capital city → country',
    subjectKind: 'city',
    inverseOf: 'capital',
    templates: [
      '{} is the capital of',
      '{} is the capital city of',
      'The city of {} is the capital of',
      '{} serves as the capital of',
      'The country whose capital is {} is',
    ],
  },
  {
    id: 'continent',
    description: 'country → continent',
    subjectKind: 'country',
    templates: [
      '{} is located in the continent of',
      '{} is a country in',
      'The continent where {} is located is',
      '{} lies on the continent of',
      '{} is part of the continent of',
    ],
  },
  {
    id: 'language',
    description: 'country → official language',
    subjectKind: 'country',
    templates: [
      'The official language of {} is',
      'In {}, people speak',
      'The language spoken in {} is',
      '{} has the official language',
      'The main language of {} is',
    ],
  },
  {
    id: 'currency',
    description: 'country → currency',
    subjectKind: 'country',
    templates: [
      'The currency of {} is the',
      'In {}, people pay with the',
      'The official currency of {} is the',
      "{}'s currency is the",
      'The money used in {} is the',
    ],
  },
  {
    id: 'symbol',
    description: 'chemical element → symbol',
    subjectKind: 'element',
    templates: [
      'The chemical symbol of {} is',
      'The symbol for {} is',
      '{} has the chemical symbol',
      'The element {} is written with the symbol',
      'In the periodic table, {} has the symbol',
    ],
  },
  {
    id: 'symbol_of',
    description: 'chemical symbol → element',
    subjectKind: 'element',
    inverseOf: 'symbol',
    templates: [
      'The chemical element with the symbol {} is',
      'The symbol {} stands for the element',
      'The element written as {} is',
      'In chemistry, the symbol {} means',
      'The element whose symbol is {} is',
    ],
  },
  {
    id: 'atomic_number',
    description: 'chemical element → atomic number',
    subjectKind: 'element',
    templates: [
      'The atomic number of {} is',
      '{} has the atomic number',
      'The number of protons in an atom of {} is',
      'In the periodic table, {} has the atomic number',
      'An atom of {} has this many protons:',
    ],
  },
];
