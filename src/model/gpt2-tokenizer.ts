// Builds a Hugging Face tokenizer.json for GPT-2 from OpenAI's original files: encoder.json (token -> id) and
// vocab.bpe (one merge "a b" per line, ranked by line, after a "#version" line). Hugging Face ships the same
// data as vocab.json and merges.txt. The result mirrors the tokenizer.json of openai-community/gpt2: a BPE
// model, a ByteLevel pre-tokenizer (GPT-2's regex, no prefix space) and decoder, and <|endoftext|> as an added
// special token. Pure data in, object out: no file system, so it runs in the browser too.

import { TokenizerError } from './errors.ts';

export const GPT2_EOS_TOKEN = '<|endoftext|>';

/** The subset of the tokenizer.json schema this builder writes. */
export interface HfTokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: {
    id: number;
    content: string;
    single_word: boolean;
    lstrip: boolean;
    rstrip: boolean;
    normalized: boolean;
    special: boolean;
  }[];
  normalizer: null;
  pre_tokenizer: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  post_processor: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  decoder: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: '';
    end_of_word_suffix: '';
    fuse_unk: false;
    byte_fallback: false;
    vocab: Record<string, number>;
    merges: string[];
  };
}

export interface Gpt2TokenizerSources {
  /** encoder.json / vocab.json: a JSON object token -> id (text, or already parsed). */
  encoder: string | Record<string, unknown>;
  /** vocab.bpe / merges.txt text. */
  merges: string;
  /** Names used in error messages. */
  encoderFile?: string;
  mergesFile?: string;
}

function parseEncoder(encoder: string | Record<string, unknown>, file: string): Record<string, number> {
  let raw: unknown = encoder;
  if (typeof encoder === 'string') {
    try {
      raw = JSON.parse(encoder);
    } catch (e) {
      throw new TokenizerError(file, `is not valid JSON (${(e as Error).message}).`);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TokenizerError(file, 'must be a JSON object mapping each token to its id.');
  }
  const vocab: Record<string, number> = {};
  const seen = new Set<number>();
  for (const [token, id] of Object.entries(raw)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerError(
        file,
        `gives token ${JSON.stringify(token)} the id ${JSON.stringify(id)}; ids are non-negative integers.`,
      );
    }
    if (seen.has(id)) throw new TokenizerError(file, `gives the id ${id} to two tokens.`);
    seen.add(id);
    vocab[token] = id;
  }
  const n = seen.size;
  for (const id of seen) {
    if (id >= n)
      throw new TokenizerError(
        file,
        `has ${n} tokens but uses id ${id}; ids must run from 0 to ${n - 1} without gaps.`,
      );
  }
  return vocab;
}

function parseMerges(text: string, vocab: Record<string, number>, file: string): string[] {
  const merges: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '' || (i === 0 && line.startsWith('#version'))) continue;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new TokenizerError(
        file,
        `line ${i + 1} is ${JSON.stringify(line)}; each merge line is two tokens separated by one space.`,
      );
    }
    if (!Object.hasOwn(vocab, parts[0] + parts[1])) {
      throw new TokenizerError(
        file,
        `line ${i + 1} merges into ${JSON.stringify(parts[0] + parts[1])}, which is not in the vocabulary: the two files do not belong together.`,
      );
    }
    merges.push(line);
  }
  return merges;
}

/** Builds the tokenizer.json object. `<|endoftext|>`, when the vocabulary has it, becomes a special added token. */
export function buildGpt2TokenizerJson(sources: Gpt2TokenizerSources): HfTokenizerJson {
  const vocab = parseEncoder(sources.encoder, sources.encoderFile ?? 'encoder.json');
  const merges = parseMerges(sources.merges, vocab, sources.mergesFile ?? 'vocab.bpe');
  const byteLevel = {
    type: 'ByteLevel' as const,
    add_prefix_space: false,
    trim_offsets: true,
    use_regex: true,
  };
  const eosId = vocab[GPT2_EOS_TOKEN];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens:
      eosId === undefined
        ? []
        : [
            {
              id: eosId,
              content: GPT2_EOS_TOKEN,
              single_word: false,
              lstrip: false,
              rstrip: false,
              normalized: true,
              special: true,
            },
          ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    // As in openai-community/gpt2; add_prefix_space only matters to the pre-tokenizer.
    post_processor: { ...byteLevel, add_prefix_space: true, trim_offsets: false },
    decoder: { ...byteLevel, add_prefix_space: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}
