// Exports causal-trace prompts for tools/torch/causal_trace.py, tokenized by Editscope's own tokenizer: the same
// seeded facts and phrasings `npx editscope trace` uses, each with its subject's token span and the answer's
// first token. PyTorch then traces a training checkpoint in seconds (a pilot's check); the engine's trace stays
// the one the model card shows.
//   node --import ./bin/register.mjs tools/fact-world-v2/trace-prompts.ts --facts data/fact-world-v2/facts.json \
//     --tokenizer public/models/fact-world-v2/tokenizer.json --n 400 --out /tmp/trace-prompts.json

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { subjectSpan } from '../../src/editors/causal-trace.ts';
import { sampleTraceFacts } from '../../src/cli/commands/trace.ts';
import { TextTokenizer } from '../../src/model/tokenizer.ts';

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      facts: { type: 'string' },
      tokenizer: { type: 'string' },
      n: { type: 'string', default: '400' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  if (!values.facts || !values.tokenizer || !values.out) {
    console.error('trace-prompts: give --facts, --tokenizer and --out.');
    process.exit(1);
  }
  const tok = TextTokenizer.fromJson(readFileSync(values.tokenizer, 'utf8'), values.tokenizer);
  const world = JSON.parse(readFileSync(values.facts, 'utf8'));
  const items = [];
  for (const f of sampleTraceFacts(world, Number(values.n), Number(values.seed))) {
    const s = subjectSpan(tok, f);
    const answer = tok.encode(f.answer)[0];
    if (!s || answer === undefined) continue;
    items.push({ ...s, answer, subjectFirst: f.subjectFirst, prompt: f.prompt });
  }
  writeFileSync(values.out, JSON.stringify({ items }) + '\n');
}
