// Tokenizes a fact-world corpus for tools/torch/train_fact_world.py with Editscope's own tokenizer (so PyTorch
// trains on exactly the ids the engine will see). A line is tab-separated segments, alternately context and
// scored: a template line "prompt<TAB> object." gives [prompt ids, completion ids + <|endoftext|>], a profile
// line (profiles.ts) more segments, the last one ending in <|endoftext|>. Several --corpus files are joined in
// the order given (templates first keeps the parity tool's first lines the template ones).
//   npx tsx tools/fact-world-v2/tokens.ts --corpus data/fact-world-v2/corpus.tsv \
//     --corpus data/fact-world-v2/profiles.tsv --tokenizer public/models/fact-world-v2/tokenizer.json --out /tmp/fw2-tokens.json

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
      const segs = line.split('\t');
      if (segs.length < 2 || segs.length % 2 !== 0 || segs[0].length === 0)
        throw new Error(
          `tokens: corpus line ${i + 1} must be context<TAB>scored segments in pairs, starting with context.`,
        );
      const ids = segs.map((s) => tokenizer.encode(s));
      ids[ids.length - 1].push(eos);
      return ids;
    });
  return { vocab_size: tokenizer.vocabSize, eos, lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string', multiple: true },
      tokenizer: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.corpus?.length || !values.tokenizer || !values.out) {
    console.error('tokens: give --corpus (one or more), --tokenizer and --out.');
    process.exit(1);
  }
  const tok = TextTokenizer.fromJson(readFileSync(values.tokenizer, 'utf8'), values.tokenizer);
  const text = values.corpus.map((c) => readFileSync(c, 'utf8').replace(/\n?$/, '\n')).join('');
  writeFileSync(values.out, JSON.stringify(tokenizeCorpus(text, tok)) + '\n');
}
