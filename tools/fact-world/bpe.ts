// A small, deterministic byte-level BPE trainer (the GPT-2 scheme: bytes mapped to printable characters, text
// pre-split by GPT-2's regex so words keep their leading space, then the most frequent adjacent pair merged
// repeatedly). Ties break by the pair's text, so the same corpus always gives the same tokenizer.

import {
  buildGpt2TokenizerJson,
  GPT2_EOS_TOKEN,
  type HfTokenizerJson,
} from '../../src/model/gpt2-tokenizer.ts';

/** GPT-2's pre-tokenizer pattern (contractions, letters, digits, other symbols, whitespace). */
const SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte → printable-character table (bytes_to_unicode). */
export function byteToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return table;
}

export interface TrainedBpe {
  vocab: Record<string, number>;
  merges: string[];
}

/** Trains merges on `texts` until the vocabulary (256 bytes + merges + end-of-text) reaches `vocabSize` or no pair repeats. */
export function trainBpe(texts: string[], vocabSize: number): TrainedBpe {
  if (!Number.isInteger(vocabSize) || vocabSize < 258)
    throw new Error(
      `--vocab-size must be an integer ≥ 258 (256 bytes + 1 merge + end-of-text), got ${vocabSize}.`,
    );
  const table = byteToUnicode();
  const encoder = new TextEncoder();
  const wordCounts = new Map<string, number>();
  for (const text of texts)
    for (const w of text.match(SPLIT) ?? []) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
  // Each distinct word as a list of symbols, with its count.
  const words = [...wordCounts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([w, count]) => ({ symbols: [...encoder.encode(w)].map((b) => table[b]), count }));
  const vocab: Record<string, number> = {};
  table.forEach((ch, i) => (vocab[ch] = i));
  const merges: string[] = [];
  while (Object.keys(vocab).length < vocabSize - 1) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] + ' ' + symbols[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best = '';
    let bestCount = 1; // a pair seen once is not worth a token
    for (const [key, n] of pairs)
      if (n > bestCount || (n === bestCount && bestCount > 1 && key < best)) [best, bestCount] = [key, n];
    if (!best) break;
    const [a, b] = best.split(' ');
    const merged = a + b;
    merges.push(best);
    vocab[merged] = Object.keys(vocab).length;
    for (const w of words) {
      const s = w.symbols;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) s.splice(i, 2, merged);
    }
  }
  vocab[GPT2_EOS_TOKEN] = Object.keys(vocab).length;
  return { vocab, merges };
}

/** The Hugging Face tokenizer.json, built by the same code as GPT-2's (so it loads through the same path). */
export function tokenizerJson(bpe: TrainedBpe): HfTokenizerJson {
  return buildGpt2TokenizerJson({
    encoder: bpe.vocab,
    merges: bpe.merges.join('\n'),
    encoderFile: 'fact-world vocab',
    mergesFile: 'fact-world merges',
  });
}
