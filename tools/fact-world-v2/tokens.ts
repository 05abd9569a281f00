// Tokenizes a fact-world corpus for tools/torch/train_fact_world.py with Editscope's own tokenizer (so PyTorch
// trains on exactly the ids the engine will see): every line as [prompt ids, completion ids + <|endoftext|>].
//   npx tsx tools/fact-world-v2/tokens.ts --corpus data/fact-world-v2/corpus.tsv \
//     --tokenizer public/models/fact-world-v2/tokenizer.json --out /tmp/fw2-tokens.json

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TextTokenizer } from '../../src/model/tokenizer.ts';

export function tokenizeCorpus(corpus: string, tokenizer: TextTokenizer) {
  const eos = tokenizer.eosId;
  if (eos === null)
    throw new Error('tokens: the tokenizer has no <|endoftext|> token; use a fact-world tokenizer.');
  const lines = corpus
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line, i) => {
      const tab = line.indexOf('\t');
      if (tab < 0) throw new Error(`tokens: corpus line ${i + 1} has no tab between prompt and completion.`);
      return [tokenizer.encode(line.slice(0, tab)), [...tokenizer.encode(line.slice(tab + 1)), eos]];
    });
  return { vocab_size: tokenizer.vocabSize, eos, lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { corpus: { type: 'string' }, tokenizer: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.corpus || !values.tokenizer || !values.out) {
    console.error('tokens: give --corpus, --tokenizer and --out.');
    process.exit(1);
  }
  const tok = TextTokenizer.fromJson(readFileSync(values.tokenizer, 'utf8'), values.tokenizer);
  writeFileSync(values.out, JSON.stringify(tokenizeCorpus(readFileSync(values.corpus, 'utf8'), tok)) + '\n');
}
