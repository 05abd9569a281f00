// A text tokenizer behind a small interface, backed by @huggingface/tokenizers (a pure-JS reading of
// tokenizer.json that gives the ids of HF's Rust tokenizers, in Node and the browser).

import { Tokenizer } from '@huggingface/tokenizers';
import { TokenizerError } from './errors.ts';

/**
 * A config may pad wte past the tokenizer's size (nanoGPT rounds 50257 up to 50304) but never by this much:
 * past it, tokenizer.json and the weights belong to different models.
 */
export const MAX_VOCAB_PADDING = 1024;

/** End-of-text spellings, most likely first. */
const EOS_CANDIDATES = ['<|endoftext|>', '</s>', '<|end_of_text|>', '<eos>'];

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Number of ids of a tokenizer.json (model vocab plus added tokens), checking they run 0..n-1 without gaps. */
function countIds(json: Record<string, unknown>, fileName: string): number {
  const model = json.model;
  if (!isRecord(model) || !isRecord(model.vocab)) {
    throw new TokenizerError(fileName, 'has no model.vocab object; is this a Hugging Face tokenizer.json?');
  }
  const ids = new Set<number>();
  for (const id of Object.values(model.vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new TokenizerError(
        fileName,
        `has a vocabulary id ${JSON.stringify(id)} that is not a non-negative integer.`,
      );
    }
    ids.add(id);
  }
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) throw new TokenizerError(fileName, 'has added_tokens that is not a list.');
  for (const t of added) {
    if (
      !isRecord(t) ||
      typeof t.content !== 'string' ||
      typeof t.id !== 'number' ||
      !Number.isInteger(t.id) ||
      t.id < 0
    ) {
      throw new TokenizerError(fileName, `has a malformed added token ${JSON.stringify(t)}.`);
    }
    ids.add(t.id);
  }
  const n = ids.size;
  for (const id of ids) {
    if (id >= n)
      throw new TokenizerError(
        fileName,
        `has ${n} distinct ids but uses id ${id}; ids must run from 0 to ${n - 1} without gaps.`,
      );
  }
  return n;
}

/** The special-token ids a TemplateProcessing post-processor (or one inside a Sequence) adds before `$A`. */
function prefixIdsOf(processor: unknown): number[] {
  if (!isRecord(processor)) return [];
  if (processor.type === 'Sequence' && Array.isArray(processor.processors)) {
    for (const p of processor.processors) {
      const ids = prefixIdsOf(p);
      if (ids.length > 0) return ids;
    }
    return [];
  }
  if (processor.type !== 'TemplateProcessing' || !Array.isArray(processor.single)) return [];
  const specials = isRecord(processor.special_tokens) ? processor.special_tokens : {};
  const ids: number[] = [];
  for (const piece of processor.single) {
    if (!isRecord(piece) || !isRecord(piece.SpecialToken)) break; // the sequence itself: stop
    const entry = specials[piece.SpecialToken.id as string];
    if (!isRecord(entry) || !Array.isArray(entry.ids)) break;
    for (const id of entry.ids) if (Number.isInteger(id) && id >= 0) ids.push(id as number);
  }
  return ids;
}

export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    /** The tokenizer.json text it was built from (written back when saving a checkpoint). */
    readonly json: string,
    /** Number of token ids, 0..vocabSize-1 (may be a little below the config's vocab_size). */
    readonly vocabSize: number,
    /** The end-of-text token id, or null when the tokenizer has none. */
    readonly eosId: number | null,
    /**
     * Ids the tokenizer's post-processor puts before a single sequence (HF's add_special_tokens): [1] (<s>) for
     * Llama 2 style tokenizers, [] for GPT-2 and Qwen. Models trained with a BOS expect their inputs to start so.
     */
    readonly prefixIds: readonly number[] = [],
  ) {}

  /**
   * Parses a tokenizer.json. With `expectedVocab` (the config's vocab_size), refuses a tokenizer whose ids do not
   * fit the embedding table, or that is far smaller than it (files from two different models).
   */
  static fromJson(text: string, fileName: string, expectedVocab?: number): TextTokenizer {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new TokenizerError(fileName, `is not valid JSON (${(e as Error).message}).`);
    }
    if (!isRecord(json)) throw new TokenizerError(fileName, 'must hold a JSON object.');
    const vocabSize = countIds(json, fileName);
    if (
      expectedVocab !== undefined &&
      (vocabSize > expectedVocab || expectedVocab - vocabSize > MAX_VOCAB_PADDING)
    ) {
      throw new TokenizerError(
        fileName,
        `has ${vocabSize} tokens but the model's vocab_size is ${expectedVocab}: the tokenizer and the weights do not belong to the same model.`,
      );
    }
    let tokenizer: Tokenizer;
    try {
      // clean_up_tokenization_spaces off: decode must give back the exact text (" ." stays " .").
      tokenizer = new Tokenizer(json, { clean_up_tokenization_spaces: false });
    } catch (e) {
      throw new TokenizerError(fileName, `could not be loaded (${(e as Error).message}).`);
    }
    let eosId: number | null = null;
    for (const candidate of EOS_CANDIDATES) {
      const id = tokenizer.token_to_id(candidate);
      if (id !== undefined) {
        eosId = id;
        break;
      }
    }
    const prefix = prefixIdsOf(json.post_processor);
    if (prefix.some((id) => id >= vocabSize)) {
      throw new TokenizerError(
        fileName,
        `has a post_processor that adds token ${Math.max(...prefix)}, outside its ${vocabSize} ids.`,
      );
    }
    return new TextTokenizer(tokenizer, text, vocabSize, eosId, prefix);
  }

  /** Token ids of `text`, with no BOS/EOS added (GPT-2 adds none). Special tokens written in the text are matched. */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** The text of `ids`; bytes of an incomplete UTF-8 character decode to U+FFFD. */
  decode(ids: readonly number[]): string {
    if (ids.length === 0) return '';
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(`Token id ${id} is outside the vocabulary (0..${this.vocabSize - 1}).`);
      }
    }
    return this.tokenizer.decode([...ids], { clean_up_tokenization_spaces: false });
  }

  /** One token as text, e.g. 11304 -> " Paris" (the leading space is part of GPT-2 tokens). */
  tokenString(id: number): string {
    return this.decode([id]);
  }
}
