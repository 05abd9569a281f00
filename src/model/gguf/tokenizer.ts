// A Hugging Face tokenizer.json rebuilt from a GGUF file's tokenizer.ggml.* metadata, for @huggingface/tokenizers
// (through TextTokenizer). GGUF keeps the byte-level BPE of GPT-2, Qwen and Llama 3 as `tokens` (id order),
// `merges` ("a b" strings, rank order), `token_type` (1 normal, 3 control, 4 user-defined, 6 byte, ...) and `pre`,
// the name of llama.cpp's pre-tokenizer regex; those map one to one onto tokenizer.json's BPE model, added tokens
// and Split pre-tokenizer. SentencePiece vocabularies (`model` = "llama") have scores instead of merges: for those
// the repo's tokenizer.json must be given.

import type { GgufFile } from './reader.ts';
import { GgufError, metaString, metaStrings } from './reader.ts';

/** The pre-tokenizer regexes of the HF tokenizer.json files llama.cpp names by `tokenizer.ggml.pre`. */
const PRE_TOKENIZER_REGEX: Record<string, string> = {
  qwen2:
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  'llama-bpe':
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
};
/** Pre-tokenizers that are GPT-2's own ByteLevel regex. */
const GPT2_PRE = new Set(['gpt-2', 'gpt2', 'default']);

const TOKEN_TYPE = { CONTROL: 3, USER_DEFINED: 4 } as const;

/** The tokenizer.json text for the BPE vocabulary in `file`'s metadata. */
export function ggufTokenizerJson(file: GgufFile): string {
  const fail = (p: string) => new GgufError(file.fileName, p);
  const model = metaString(file, 'tokenizer.ggml.model');
  if (model === undefined)
    throw fail("has no tokenizer (tokenizer.ggml.model); pass the repo's tokenizer.json.");
  if (model !== 'gpt2') {
    throw fail(
      `has a ${JSON.stringify(model)} tokenizer, which Editscope cannot rebuild from GGUF metadata; pass the repo's tokenizer.json.`,
    );
  }
  const tokens = metaStrings(file, 'tokenizer.ggml.tokens');
  const merges = metaStrings(file, 'tokenizer.ggml.merges') ?? [];
  if (!tokens || tokens.length === 0) throw fail('has no tokenizer.ggml.tokens.');
  const typesKv = file.metadata.get('tokenizer.ggml.token_type');
  const types = typesKv?.value as ArrayLike<number> | undefined;
  if (types !== undefined && (typeof types !== 'object' || types.length !== tokens.length)) {
    throw fail(`has tokenizer.ggml.token_type of a different length than its ${tokens.length} tokens.`);
  }
  const pre = metaString(file, 'tokenizer.ggml.pre') ?? 'default';
  let preTokenizer: unknown;
  if (PRE_TOKENIZER_REGEX[pre]) {
    preTokenizer = {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: PRE_TOKENIZER_REGEX[pre] }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    };
  } else if (GPT2_PRE.has(pre)) {
    preTokenizer = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  } else {
    throw fail(
      `uses the pre-tokenizer ${JSON.stringify(pre)}, which Editscope does not know; pass the repo's tokenizer.json.`,
    );
  }
  const vocab: Record<string, number> = {};
  const added: unknown[] = [];
  tokens.forEach((t, id) => {
    const type = types ? Number(types[id]) : 1;
    if (type === TOKEN_TYPE.CONTROL || type === TOKEN_TYPE.USER_DEFINED) {
      added.push({
        id,
        content: t,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: type === TOKEN_TYPE.CONTROL,
      });
    } else if (!Object.hasOwn(vocab, t)) {
      vocab[t] = id;
    }
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: pre === 'qwen2' ? { type: 'NFC' } : null,
    pre_tokenizer: preTokenizer,
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  });
}
