// Readers on small inline samples of the formats whose files are not available here (CounterFact, ZsRE/MEND,
// EasyEdit, written as the published files spell them), the EasyEdit round trip, and hostile inputs.

import { describe, expect, it } from 'vitest';
import { EditDataError, type EditCase } from '../types.ts';
import { detectFormat, readEasyEdit, readEditCases, writeEasyEdit } from './index.ts';

const counterFact = [
  {
    case_id: 0,
    pararel_idx: 2796,
    requested_rewrite: {
      prompt: 'The mother tongue of {} is',
      relation_id: 'P103',
      target_new: { str: 'English', id: 'Q1860' },
      target_true: { str: 'French', id: 'Q150' },
      subject: 'Danielle Darrieux',
    },
    paraphrase_prompts: [
      'Shayna does this and Yossel goes still and dies. Danielle Darrieux, a native',
      'An album was recorded for Capitol Nashville but never released. Danielle Darrieux spoke the language',
    ],
    neighborhood_prompts: ['The mother tongue of Léon Blum is', 'The native language of Montesquieu is'],
    attribute_prompts: ['J.\u00a0R.\u00a0R. Tolkien is a native speaker of'],
    generation_prompts: ["Danielle Darrieux's mother tongue is"],
  },
];

const zsre = [
  {
    subject: 'Watts Humphrey',
    src: 'What university did Watts Humphrey attend?',
    pred: 'Trinity College',
    rephrase: 'What university did Watts Humphrey take part in?',
    alt: 'University of Michigan',
    answers: ['Illinois Institute of Technology'],
    loc: 'nq question: who played desmond doss father in hacksaw ridge',
    loc_ans: 'Hugo Weaving',
    cond: 'Trinity College >> University of Michigan || What university did Watts Humphrey attend?',
  },
];

// Our fact-world benchmark's shape (locality arrays, possibly empty), plus EasyEdit's KnowEdit variants.
const easyEdit = [
  {
    case_id: 'capital_of:Mariehamn:0',
    relation: 'capital_of',
    prompt: 'Mariehamn is the capital of',
    subject: 'Mariehamn',
    target_new: ' Vietnam',
    ground_truth: ' Aland',
    rephrase_prompts: ['Mariehamn is the capital city of', 'Mariehamn serves as the capital of'],
    locality: {
      neighborhood: [
        { prompt: 'The city of Asmara is the capital of', ground_truth: ' Eritrea' },
        { prompt: 'The city of Seoul is the capital of', ground_truth: ' South Korea' },
      ],
      same_subject: [],
    },
  },
  {
    prompt: 'The name of the country of citizenship of Leonardo DiCaprio is',
    subject: 'Leonardo DiCaprio',
    target_new: 'Syria',
    ground_truth: ['United States of America'],
    rephrase_prompt: 'What is the country of citizenship of Leonardo DiCaprio?',
    portability: {
      Reasoning: [
        {
          prompt: 'The currency of the country of Leonardo DiCaprio is',
          ground_truth: [['Syrian pound', 'SYP']],
        },
      ],
    },
    locality: {
      Relation_Specificity: [
        {
          prompt: ['The gender of Leonardo DiCaprio is', 'The occupation of Leonardo DiCaprio is'],
          ground_truth: [['male'], ['actor', 'film actor']],
        },
      ],
      Forgetfulness: { prompt: 'Leonardo DiCaprio was born in' },
    },
  },
];

describe('CounterFact', () => {
  it('fills the template and maps paraphrases, neighbourhood and attribute prompts', async () => {
    expect(detectFormat(counterFact)).toBe('counterfact');
    const [c] = await readEditCases(JSON.stringify(counterFact), 'cf.json');
    expect(c).toEqual({
      id: '0',
      prompt: 'The mother tongue of Danielle Darrieux is',
      subject: 'Danielle Darrieux',
      target: ' English',
      groundTruth: ' French',
      gen: counterFact[0].paraphrase_prompts.map((prompt) => ({ prompt, kind: 'rephrase' })),
      loc: [
        { prompt: 'The mother tongue of Léon Blum is', answer: ' French', kind: 'neighborhood' },
        { prompt: 'The native language of Montesquieu is', answer: ' French', kind: 'neighborhood' },
        {
          prompt: 'J.\u00a0R.\u00a0R. Tolkien is a native speaker of',
          answer: ' English',
          kind: 'attribute',
        },
      ],
      relation: 'P103',
      source: 'counterfact:cf.json',
    });
  });
});

describe('ZsRE / MEND', () => {
  it('maps src → alt with rephrase and the nq locality question', async () => {
    expect(detectFormat(zsre)).toBe('zsre');
    const [c] = await readEditCases(new TextEncoder().encode(JSON.stringify(zsre)), 'zsre.json');
    expect(c).toEqual({
      id: '0',
      prompt: 'What university did Watts Humphrey attend?',
      subject: 'Watts Humphrey',
      target: ' University of Michigan',
      groundTruth: ' Illinois Institute of Technology',
      gen: [{ prompt: 'What university did Watts Humphrey take part in?', kind: 'rephrase' }],
      loc: [
        {
          prompt: 'nq question: who played desmond doss father in hacksaw ridge',
          answer: ' Hugo Weaving',
          kind: 'nq',
        },
      ],
      source: 'zsre:zsre.json',
    });
  });
});

describe('EasyEdit', () => {
  it('reads locality arrays, single probes, parallel prompt lists, alias lists and portability', async () => {
    expect(detectFormat(easyEdit)).toBe('easyedit');
    const [world, know] = await readEditCases(JSON.stringify(easyEdit), 'edits.json');
    expect(world).toMatchObject({ id: 'capital_of:Mariehamn:0', relation: 'capital_of', target: ' Vietnam' });
    expect(world.loc).toHaveLength(2);
    expect(know).toEqual({
      id: '1',
      prompt: 'The name of the country of citizenship of Leonardo DiCaprio is',
      subject: 'Leonardo DiCaprio',
      target: ' Syria',
      groundTruth: ' United States of America',
      gen: [
        { prompt: 'What is the country of citizenship of Leonardo DiCaprio?', kind: 'rephrase' },
        {
          prompt: 'The currency of the country of Leonardo DiCaprio is',
          target: ' Syrian pound',
          kind: 'Reasoning',
        },
      ],
      loc: [
        { prompt: 'The gender of Leonardo DiCaprio is', answer: ' male', kind: 'Relation_Specificity' },
        { prompt: 'The occupation of Leonardo DiCaprio is', answer: ' actor', kind: 'Relation_Specificity' },
        { prompt: 'Leonardo DiCaprio was born in', kind: 'Forgetfulness' },
      ],
      source: 'easyedit:edits.json',
    });
  });

  it('round-trips every format through writeEasyEdit', async () => {
    const cases: EditCase[] = [
      ...(await readEditCases(JSON.stringify(counterFact), 'cf.json')),
      ...(await readEditCases(JSON.stringify(zsre), 'zsre.json')),
      ...(await readEditCases(JSON.stringify(easyEdit), 'edits.json')),
    ];
    const text = writeEasyEdit(cases);
    expect(detectFormat(JSON.parse(text))).toBe('easyedit');
    expect(readEasyEdit(JSON.parse(text), 'written.json')).toEqual(cases);
    // The written records are EasyEdit's own shape.
    expect(JSON.parse(text)[0]).toMatchObject({
      case_id: '0',
      target_new: ' English',
      ground_truth: ' French',
      locality: {
        neighborhood: [
          { prompt: 'The mother tongue of Léon Blum is', ground_truth: ' French' },
          { prompt: 'The native language of Montesquieu is', ground_truth: ' French' },
        ],
        attribute: [
          { prompt: 'J.\u00a0R.\u00a0R. Tolkien is a native speaker of', ground_truth: ' English' },
        ],
      },
    });
  });
});

describe('hostile inputs give an EditDataError that names the file, record and field', () => {
  const fails = (data: string | Uint8Array, message: RegExp) =>
    expect(readEditCases(data, 'bad.json')).rejects.toThrow(
      expect.objectContaining({ name: 'EditDataError', message: expect.stringMatching(message) }),
    );
  const mutate = <T>(v: T, f: (copy: T) => void): string => {
    const copy = structuredClone(v);
    f(copy);
    return JSON.stringify(copy);
  };

  it('rejects bytes that are not a dataset', async () => {
    await fails(JSON.stringify(easyEdit).slice(0, 120), /^bad\.json: not valid JSON .*truncated/);
    await fails('', /^bad\.json: the file is empty/);
    await fails(new Uint8Array([0xff, 0xfe, 0x00, 0x41]), /^bad\.json: the file is neither UTF-8 text/);
    await fails(
      '[]',
      /^bad\.json: not a recognised edit dataset: expected at least one record, got an empty array/,
    );
    await fails('{"prompt": "x"}', /expected a JSON array of records, got an object/);
    await fails(
      '[{"question": "?", "answer": "!"}]',
      /record 0 is an object with keys question, answer\. Known formats: /,
    );
  });

  it('rejects a truncated or non-parquet file that starts like parquet', async () => {
    await fails(new Uint8Array([0x50, 0x41, 0x52, 0x31, 1, 2, 3]), /^bad\.json: not a readable parquet file/);
  });

  it('names the record index and the field of a malformed record', async () => {
    const twoRecords = [...counterFact, structuredClone(counterFact[0])];
    await fails(
      mutate(twoRecords, (r) => (r[1].requested_rewrite.target_new.str = 42 as unknown as string)),
      /^bad\.json, record 1: "requested_rewrite\.target_new\.str" must be a non-empty string, got a number\.$/,
    );
    await fails(
      mutate(zsre, (r) => (r[0].alt = '')),
      /^bad\.json, record 0: "alt" must be a non-empty string or list of strings, got an empty string\.$/,
    );
    await fails(
      mutate(easyEdit, (r) => ((r[1] as Record<string, unknown>).rephrase_prompt = ['ok', 3])),
      /^bad\.json, record 1: "rephrase_prompt\[1\]" must be a non-empty string, got a number\.$/,
    );
    await fails(
      mutate(easyEdit, (r) => ((r[0].locality as { neighborhood: unknown[] }).neighborhood[1] = 'Seoul')),
      /^bad\.json, record 0: "locality\.neighborhood\[1\]" must be an object \{prompt, ground_truth\}/,
    );
    await fails(
      mutate(
        easyEdit,
        (r) =>
          ((
            r[1].locality as { Relation_Specificity: { ground_truth: unknown }[] }
          ).Relation_Specificity[0].ground_truth = ['male', 'actor', 'x']),
      ),
      /record 1: "locality\.Relation_Specificity\[0\]\.ground_truth" must be one answer per prompt \(2\) or a single answer, not 3, got a list\.$/,
    );
    await fails(
      mutate(counterFact, (r) => (r[0].paraphrase_prompts = [null as never])),
      /record 0: "paraphrase_prompts\[0\]" must be a non-empty string or \{prompt: string\}, got null/,
    );
    await fails(
      mutate(
        counterFact,
        (r) => (r[0].requested_rewrite.prompt = 'The mother tongue of Danielle Darrieux is'),
      ),
      /record 0: "requested_rewrite\.prompt" must be a template with "\{\}"/,
    );
    await fails(
      JSON.stringify([easyEdit[0], 'not a record']),
      /^bad\.json, record 1: expected an object, got the string "not a record"\.$/,
    );
  });

  it('rejects a prompt that does not contain its subject', async () => {
    await fails(
      mutate(easyEdit, (r) => (r[0].subject = 'mariehamn')),
      /^bad\.json, record 0: the subject "mariehamn" does not occur in the prompt "Mariehamn is the capital of"/,
    );
    await fails(
      mutate(zsre, (r) => (r[0].subject = 'Humphrey Watts')),
      /record 0: the subject "Humphrey Watts"/,
    );
  });

  it('rejects an MQuAKE case without edits', async () => {
    const mquake = [{ case_id: 7, requested_rewrite: [], questions: ['q?'], new_answer: 'a' }];
    expect(detectFormat(mquake)).toBe('mquake');
    await fails(
      JSON.stringify(mquake),
      /^bad\.json, record 0: "requested_rewrite" must be a non-empty list of objects, got an empty list\.$/,
    );
  });

  it('is an EditDataError instance', async () => {
    await expect(readEditCases('[1]', 'bad.json')).rejects.toBeInstanceOf(EditDataError);
  });
});
