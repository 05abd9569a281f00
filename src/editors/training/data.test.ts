import { describe, expect, it } from 'vitest';
import { EditDataError, parseEditRecords, tokenizeEdits } from './data.ts';
import { longestSamples, maxSequenceLength, sampleBatch } from './sampler.ts';
import { settingsDiff, type EditorTrainingSettings } from './settings.ts';

const RECORD = {
  case_id: 'capital:France:0',
  prompt: 'The capital of France is ',
  subject: 'France',
  target_new: 'Rome',
  ground_truth: ' Paris',
  rephrase_prompts: ["France's capital is", 'The seat of government of France is'],
  locality: {
    neighborhood: [{ prompt: 'The capital of Spain is', ground_truth: ' Madrid' }],
    same_subject: {
      prompt: ['France is in', 'France speaks'],
      ground_truth: [[' Europe', ' EU'], ' French'],
    },
  },
};

/** One id per character: enough to check lengths and the context limit. */
const encode = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

describe('parseEditRecords', () => {
  it('reads EasyEdit records: leading space on targets, locality lists, objects and parallel prompt lists', () => {
    const [r] = parseEditRecords([RECORD], 'edits.json');
    expect(r.id).toBe('capital:France:0');
    expect(r.prompt).toBe('The capital of France is');
    expect(r.target).toBe(' Rome');
    expect(r.rephrases).toHaveLength(2);
    expect(r.locality).toEqual([
      { prompt: 'The capital of Spain is', answer: ' Madrid' },
      { prompt: 'France is in', answer: ' Europe' },
      { prompt: 'France speaks', answer: ' French' },
    ]);
    const single = parseEditRecords(
      [{ ...RECORD, rephrase_prompt: 'x is', rephrase_prompts: undefined }],
      'f',
    );
    expect(single[0].rephrases).toEqual(['x is']);
  });

  it('says which record and field is wrong', () => {
    expect(() => parseEditRecords({}, 'a.json')).toThrow(/a\.json: expected a JSON array/);
    expect(() => parseEditRecords([{ ...RECORD, target_new: 3 }], 'a.json')).toThrow(
      /record 0: "target_new" must be a non-empty string/,
    );
    expect(() =>
      parseEditRecords([RECORD, { ...RECORD, locality: { n: [{ prompt: 'p' }] } }], 'a.json'),
    ).toThrow(EditDataError);
    expect(() => parseEditRecords([{ ...RECORD, rephrase_prompts: [1] }], 'a.json')).toThrow(
      /rephrase_prompts/,
    );
  });
});

describe('tokenizeEdits', () => {
  it('drops probes that do not fit the context and skips edits left without probes', () => {
    const records = parseEditRecords(
      [RECORD, { ...RECORD, case_id: 'b', rephrase_prompts: ['x'.repeat(40)] }],
      'f',
    );
    const { edits, skipped } = tokenizeEdits(records, encode, 40);
    expect(edits.map((e) => e.id)).toEqual(['capital:France:0']);
    expect(skipped).toEqual(['b']);
    const e = edits[0];
    expect(e.edit.prompt).toEqual(encode('The capital of France is'));
    expect(e.edit.target).toEqual(encode(' Rome'));
    expect(e.generality).toHaveLength(2);
    expect(e.locality).toHaveLength(3);
    expect(maxSequenceLength(edits)).toBe('The seat of government of France is Rome'.length);
  });
});

describe('sampleBatch', () => {
  const { edits } = tokenizeEdits(
    parseEditRecords(
      Array.from({ length: 5 }, (_, i) => ({ ...RECORD, case_id: `e${i}`, prompt: `P${i} is` })),
      'f',
    ),
    encode,
    64,
  );
  const idOf = (p: number[]) => String.fromCharCode(...p);

  it('is a pure function of (seed, step) and covers every edit once per epoch', () => {
    const a = sampleBatch(edits, 3, 7, 4);
    expect(sampleBatch(edits, 3, 7, 4)).toEqual(a);
    expect(sampleBatch(edits, 3, 8, 4)).not.toEqual(a);
    // Steps 0..4 with batch 2 = 10 draws = two epochs of 5: each edit twice.
    const seen = new Map<string, number>();
    for (let s = 0; s < 5; s++)
      for (const x of sampleBatch(edits, 2, 7, s))
        seen.set(idOf(x.edit.prompt), (seen.get(idOf(x.edit.prompt)) ?? 0) + 1);
    expect([...seen.values()]).toEqual([2, 2, 2, 2, 2]);
  });

  it('builds a warm-up batch from the longest sequences', () => {
    const w = longestSamples(edits, 2);
    expect(w).toHaveLength(2);
    expect(idOf(w[0].generality.prompt)).toBe('The seat of government of France is');
    expect(idOf(w[0].locality.prompt)).toBe('The capital of Spain is');
  });
});

describe('settingsDiff', () => {
  const base: EditorTrainingSettings = {
    method: 'ibke',
    backbone: { nLayer: 3, nEmbd: 128, vocabSize: 100, nPositions: 32 },
    hypernet: {
      method: 'mend',
      editedLayers: ['h.0.mlp.c_fc.weight'],
      alphaInit: 1e-3,
      normEps: 1e-7,
      rank: 8,
    },
    optimizer: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    lambdas: { rel: 0.1, gen: 0.1, loc: 1 },
    beta: 1e-3,
    batch: 8,
    seed: 1,
    steps: 100,
    data: { file: 'train.json', edits: 10 },
  };
  it('names every differing setting and ignores a longer --steps', () => {
    expect(settingsDiff(base, { ...base, steps: 500 })).toEqual([]);
    const diff = settingsDiff(base, { ...base, batch: 16, lambdas: { ...base.lambdas, loc: 2 } });
    expect(diff).toEqual(['lambdas.loc: checkpoint 1, now 2', 'batch: checkpoint 8, now 16']);
  });
});
