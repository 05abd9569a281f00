import { describe, expect, it } from 'vitest';
import { TokenizerError } from './errors.ts';
import { tinyTokenizerJson } from './testing.ts';
import { MAX_VOCAB_PADDING, TextTokenizer } from './tokenizer.ts';

const FILE = 'tiny/tokenizer.json';

function problemOf(text: string, expectedVocab?: number): string {
  try {
    TextTokenizer.fromJson(text, FILE, expectedVocab);
  } catch (e) {
    expect(e).toBeInstanceOf(TokenizerError);
    expect((e as TokenizerError).file).toBe(FILE);
    return (e as TokenizerError).problem;
  }
  throw new Error('expected a TokenizerError');
}

describe('TextTokenizer', () => {
  // 30 byte-level symbols (a-z, Ġ, . , !), then merges Ġa..Ġz (ids 30..55), th (56) he (57) in (58) er (59)...
  const tiny = TextTokenizer.fromJson(tinyTokenizerJson(64), FILE, 64);

  it('applies BPE merges by rank and decodes ids back to text', () => {
    expect(tiny.vocabSize).toBe(64);
    expect(tiny.eosId).toBe(63);
    // "the" -> t h e: merge "t h" (rank 26) beats "h e" (rank 27) -> [th, e]; " in" -> Ġi n -> [Ġi, n].
    expect(tiny.encode('the in')).toEqual([56, 4, 38, 13]);
    expect(tiny.encode('he')).toEqual([57]);
    expect(tiny.decode([56, 4, 38, 13])).toBe('the in');
    expect(tiny.tokenString(30)).toBe(' a');
    expect(tiny.encode('hi<|endoftext|>')).toEqual([7, 8, 63]);
  });

  it('keeps the tokenizer.json text for saving', () => {
    expect(JSON.parse(tiny.json).model.type).toBe('BPE');
  });

  it('refuses a tokenizer that does not match the model vocab size', () => {
    expect(problemOf(tinyTokenizerJson(64), 32)).toBe(
      "has 64 tokens but the model's vocab_size is 32: the tokenizer and the weights do not belong to the same model.",
    );
    expect(problemOf(tinyTokenizerJson(64), 64 + MAX_VOCAB_PADDING + 1)).toMatch(
      /has 64 tokens but the model's vocab_size is 1089/,
    );
    // A few padding rows (nanoGPT's 50257 -> 50304) are fine.
    expect(TextTokenizer.fromJson(tinyTokenizerJson(60), FILE, 64).vocabSize).toBe(60);
  });

  it('refuses broken or foreign JSON', () => {
    expect(problemOf('{"model": ')).toMatch(/not valid JSON/);
    expect(problemOf('{"vocab": {}}')).toMatch(/no model.vocab object/);
    expect(problemOf(JSON.stringify({ model: { type: 'BPE', vocab: { a: 0, b: 2 }, merges: [] } }))).toMatch(
      /uses id 2/,
    );
    expect(problemOf(JSON.stringify({ model: { type: 'BPE', vocab: { a: 0.5 }, merges: [] } }))).toMatch(
      /not a non-negative integer/,
    );
    expect(
      problemOf(JSON.stringify({ model: { type: 'Nonsense', vocab: { a: 0 } }, added_tokens: [] })),
    ).toMatch(/could not be loaded/);
  });

  it('refuses to decode ids outside the vocabulary', () => {
    expect(() => tiny.decode([64])).toThrow(/outside the vocabulary \(0..63\)/);
    expect(() => tiny.decode([1.5])).toThrow(RangeError);
  });
});

describe('TextTokenizer.prefixIds', () => {
  const withProcessor = (post_processor: unknown) =>
    JSON.stringify({ ...JSON.parse(tinyTokenizerJson(40)), post_processor });
  const template = (id: number) => ({
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: 'X', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    special_tokens: { X: { id: 'X', ids: [id], tokens: ['X'] } },
  });
  it("reads the ids a TemplateProcessing post-processor puts first ([] for GPT-2's)", () => {
    expect(TextTokenizer.fromJson(tinyTokenizerJson(40), FILE).prefixIds).toEqual([]);
    expect(TextTokenizer.fromJson(withProcessor(template(39)), FILE).prefixIds).toEqual([39]);
    const nested = { type: 'Sequence', processors: [{ type: 'ByteLevel' }, template(3)] };
    expect(TextTokenizer.fromJson(withProcessor(nested), FILE).prefixIds).toEqual([3]);
  });
  it('refuses a prefix outside the vocabulary', () => {
    expect(problemOf(withProcessor(template(40)))).toMatch(/adds token 40, outside its 40 ids/);
  });
});
