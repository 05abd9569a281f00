// Gives every name's first piece its leading space back, after split-subjects.ts took the whole-name merges out
// (issue 13, the leak of v2's hypernetwork edits).
//
// Why: removing the merges that make " Paris" (or "Paris") one token leaves " Paris" as " " + "Par" + "is" when
// the tokenizer has no merge of a bare space with "Par". Then 188 of the 498 test answers, and 216 new targets,
// begin with the same bare " " token: the prompt's last position predicts " " for every subject of a relation,
// and an edit to " Rom" + "e" moves that one prediction for the whole relation ("The capital of Germany is" →
// " Rom" at 97 % after IBKE). GPT-2's own tokenizer puts the space on the first piece (" Par" + "is"), so the
// first answer token already names the answer. The merges added here (" " + first piece) come after every
// learned merge, so they fire only where the learned ones left a bare space; they take the ids the removed
// whole-name tokens left free, so the vocabulary keeps its size.

import type { TokenizerJson } from './split-subjects.ts';
import { TextTokenizer } from '../../src/model/tokenizer.ts';

/** GPT-2's byte-level alphabet writes the space byte as this character. */
const SPACE = 'Ġ';

function singleTokenSubjects(tok: TextTokenizer, subjects: readonly string[]): string[] {
  return subjects.filter((s) => tok.encode(s).length === 1 || tok.encode(' ' + s).length === 1);
}

/**
 * The tokenizer JSON with a merge " " + X for every name whose encoding after a space starts with a bare space
 * followed by piece X. `freeIds` are ids no merge produces any more (split-subjects' cut); new pieces take them
 * in order, and merges that read a freed piece go too (they could never fire). No subject becomes one token:
 * a merge that would make one is left out. Returns the names that still start with a bare space.
 */
export function keepLeadingSpace(
  json: TokenizerJson,
  names: readonly string[],
  subjects: readonly string[],
  freeIds: readonly number[],
) {
  const pieceOf = new Map(Object.entries(json.model.vocab).map(([piece, id]) => [id, piece]));
  const spaceId = json.model.vocab[SPACE];
  const tok0 = TextTokenizer.fromJson(JSON.stringify(json), 'tokenizer.json');
  const first = new Set<string>();
  for (const name of names) {
    const ids = tok0.encode(' ' + name);
    if (ids.length > 1 && ids[0] === spaceId) first.add(pieceOf.get(ids[1])!);
  }
  // Single letters (element symbols) are one token in any tokenizer: only subjects made whole here count.
  const alreadyWhole = new Set(singleTokenSubjects(tok0, subjects));
  let pieces = [...first].sort();
  for (let round = 0; ; round++) {
    const vocab = { ...json.model.vocab };
    const free = [...freeIds];
    const freed = new Set<string>();
    const kept: string[] = [];
    for (const p of pieces) {
      if (SPACE + p in vocab) {
        kept.push(p);
        continue;
      }
      const id = free.shift();
      if (id === undefined) break; // out of free ids: the rest keep their bare space (returned in `bare`)
      freed.add(pieceOf.get(id)!);
      delete vocab[pieceOf.get(id)!];
      vocab[SPACE + p] = id;
      kept.push(p);
    }
    const reads = (m: string) => m.split(' ').some((part) => freed.has(part));
    const merges = [...json.model.merges.filter((m) => !reads(m)), ...kept.map((p) => `${SPACE} ${p}`)];
    const out = { ...json, model: { ...json.model, vocab, merges } };
    const tok = TextTokenizer.fromJson(JSON.stringify(out), 'tokenizer.json');
    const whole = singleTokenSubjects(tok, subjects).filter((s) => !alreadyWhole.has(s));
    if (whole.length === 0 || round === 4) {
      if (whole.length > 0)
        throw new Error(`leading-space: ${whole.length} subjects are one token, e.g. ${whole[0]}.`);
      const bare = names.filter((n) => tok.encode(' ' + n)[0] === spaceId);
      return { json: out, added: kept.map((p) => SPACE + p), bare };
    }
    // Leave out the merges that made a subject whole (" " + its remaining single piece), and try again.
    const culprits = new Set(
      whole
        .map((s) => tok0.encode(' ' + s))
        .filter((ids) => ids.length === 2)
        .map((ids) => pieceOf.get(ids[1])!),
    );
    pieces = pieces.filter((p) => !culprits.has(p));
  }
}
