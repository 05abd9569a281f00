// The vocabulary piece of token ids ("ðŁ", "<0xF0>", "ĠParis"), read from the loaded tokenizer.json, so the
// app can show a token that is part of a UTF-8 character as its bytes instead of an empty label.

import type { TextTokenizer } from '../model/tokenizer.ts';

const pieces = new WeakMap<TextTokenizer, Map<number, string>>();

function vocabOf(tokenizer: TextTokenizer): Map<number, string> {
  let map = pieces.get(tokenizer);
  if (map) return map;
  map = new Map();
  try {
    const vocab = (JSON.parse(tokenizer.json) as { model?: { vocab?: unknown } }).model?.vocab;
    if (Array.isArray(vocab))
      // Unigram (SentencePiece): [[piece, score], ...], the id is the index.
      vocab.forEach((e, i) => Array.isArray(e) && typeof e[0] === 'string' && map!.set(i, e[0]));
    else if (vocab && typeof vocab === 'object')
      for (const [piece, id] of Object.entries(vocab)) if (typeof id === 'number') map.set(id, piece);
  } catch {
    // An unreadable vocabulary leaves the labels as decoded text.
  }
  pieces.set(tokenizer, map);
  return map;
}

export function tokenPieces(tokenizer: TextTokenizer, ids: number[]): (string | null)[] {
  const vocab = vocabOf(tokenizer);
  return ids.slice(0, 256).map((id) => vocab.get(id) ?? null);
}
