// A variant of fact-world v2's tokenizer in which no subject is a single token (issue 13, recall at the subject).
//
// Why: with the 6,144-token BPE almost every subject ("Armenia", "Kabul", "Iron") is one token, so block 0's
// attention can copy the subject's token embedding to the prompt's last position and an MLP there looks the
// fact up: the subject's own positions never need to do anything, and the causal trace finds the fact at the
// last token after block 0. In GPT-2 most names are several tokens, and the model first assembles the entity at
// the subject's LAST token (early/middle MLPs), which later positions read: ROME's site. Taking out the merges
// that make a subject's whole name (with or without its leading space) splits every such name into pieces
// already in the vocabulary, and leaves every other token id as it was, so a trained model can be warm-started
// on the new segmentation (the removed tokens' embedding rows are simply never used). build.ts then gives each
// name's first piece its leading space back (leading-space.ts).
//   npx tsx tools/fact-world-v2/split-subjects.ts --tokenizer public/models/fact-world-v2/tokenizer.json \
//     --facts data/fact-world-v2/facts.json --out /tmp/tokenizer-split.json

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TextTokenizer } from '../../src/model/tokenizer.ts';

export interface TokenizerJson {
  model: { vocab: Record<string, number>; merges: string[] };
}

/** The tokenizer JSON without the merges that produce a single-token subject; returns it and what was cut. */
export function splitSubjects(json: TokenizerJson, subjects: readonly string[]) {
  const byId = new Map(Object.entries(json.model.vocab).map(([piece, id]) => [id, piece]));
  const cut = new Set<string>();
  let tok = TextTokenizer.fromJson(JSON.stringify(json), 'tokenizer.json');
  // Removing a merge can expose another single-token form (rare); repeat until none is left.
  for (let round = 0; round < 4; round++) {
    const pieces = new Set<string>();
    for (const s of subjects)
      for (const text of [s, ' ' + s]) {
        const ids = tok.encode(text);
        if (ids.length === 1) pieces.add(byId.get(ids[0])!);
      }
    if (pieces.size === 0) break;
    for (const p of pieces) cut.add(p);
    json = {
      ...json,
      model: { ...json.model, merges: json.model.merges.filter((m) => !pieces.has(m.replace(' ', ''))) },
    };
    tok = TextTokenizer.fromJson(JSON.stringify(json), 'tokenizer.json');
  }
  return { json, cut: [...cut].sort() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { tokenizer: { type: 'string' }, facts: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.tokenizer || !values.facts || !values.out) {
    console.error('split-subjects: give --tokenizer, --facts and --out.');
    process.exit(1);
  }
  const json = JSON.parse(readFileSync(values.tokenizer, 'utf8')) as TokenizerJson;
  const facts = JSON.parse(readFileSync(values.facts, 'utf8')) as { facts: { subject: string }[] };
  const subjects = [...new Set(facts.facts.map((f) => f.subject))];
  const out = splitSubjects(json, subjects);
  writeFileSync(values.out, JSON.stringify(out.json) + '\n');
  console.log(`${out.cut.length} merges removed; ${subjects.length} subjects, none a single token now.`);
}
