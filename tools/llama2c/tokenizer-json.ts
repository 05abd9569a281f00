// A Hugging Face tokenizer.json (SentencePiece-style BPE, as HF writes it for Llama 2) from a llama2.c tokenizer
// .bin. llama2.c encodes by repeatedly merging the adjacent pair whose concatenation is the highest-scoring
// piece, after a dummy-prefix space and with byte fallback; HF's BPE merges the pair of lowest rank. Listing,
// for every piece, each split of it into two pieces, ranked by the merged piece's score (then id), makes the
// two agree (tools/llama2c/llama2c.test.ts checks that on real text against an encoder written from run.c's
// description).

import type { Llama2cVocab } from './format.ts';

const SPACE = '▁'; // SentencePiece's visible space

/** Which stored pieces are special: <unk>, <s>, </s> (llama2.c's export writes the last two between newlines). */
function specialName(piece: string, id: number): string | null {
  if (id === 0 && piece === '<unk>') return '<unk>';
  if (id === 1 && piece.trim() === '<s>') return '<s>';
  if (id === 2 && piece.trim() === '</s>') return '</s>';
  return null;
}

const BYTE_PIECE = /^<0x[0-9A-F]{2}>$/;

export function buildLlamaTokenizerJson(vocab: Llama2cVocab): Record<string, unknown> {
  const tokens: string[] = vocab.pieces.map((p, id) => {
    const special = specialName(p, id);
    if (special) return special;
    if (BYTE_PIECE.test(p)) return p;
    return p.replaceAll(' ', SPACE);
  });
  const ids = new Map<string, number>();
  tokens.forEach((t, id) => {
    if (ids.has(t))
      throw new Error(
        `The llama2.c vocabulary holds ${JSON.stringify(t)} twice (ids ${ids.get(t)} and ${id}).`,
      );
    ids.set(t, id);
  });
  const mergeable = (id: number) => id > 2 && !BYTE_PIECE.test(tokens[id]);
  const merges: { pair: [string, string]; score: number; id: number }[] = [];
  tokens.forEach((t, id) => {
    if (!mergeable(id)) return;
    const chars = [...t];
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join('');
      const right = chars.slice(k).join('');
      const l = ids.get(left);
      const r = ids.get(right);
      if (l !== undefined && r !== undefined && mergeable(l) && mergeable(r)) {
        merges.push({ pair: [left, right], score: vocab.scores[id], id });
      }
    }
  });
  merges.sort((a, b) => b.score - a.score || a.id - b.id);
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    // llama2.c prepends one space to non-empty text and keeps every other space as is.
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: SPACE },
        { type: 'Replace', pattern: { String: ' ' }, content: SPACE },
      ],
    },
    pre_tokenizer: null,
    // <s> before every sequence (run.c encodes prompts with bos = 1).
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab: Object.fromEntries(tokens.map((t, id) => [t, id])),
      merges: merges.map((m) => m.pair),
    },
  };
}
