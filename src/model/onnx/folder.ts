// The files of an ONNX model folder in the layout transformers.js loads from local files (and the Hub):
//   config.json             HF GPT-2 config + "transformers.js_config": { dtype: "fp32" } so every device
//                           (wasm defaults to q8 = onnx/model_quantized.onnx) picks onnx/model.onnx
//   generation_config.json  bos/eos for pipeline('text-generation')
//   tokenizer.json          the model's own (HF tokenizers format), unchanged
//   tokenizer_config.json   the tokenizer class and special tokens
//   onnx/model.onnx         the graph and weights (src/model/onnx/gpt2.ts), one file (ONNX's 2 GB limit)
// Pure: returns the bytes; the CLI (src/cli/commands/export-onnx.ts) and the worker write or download them.

import type { Gpt2Dims } from '../gpt2/dims.ts';
import { gpt2Onnx } from './gpt2.ts';

export const ONNX_MODEL_FILE = 'onnx/model.onnx';

/** Protobuf's hard limit on one message: a model.onnx must stay below it. */
export const ONNX_MAX_BYTES = 2 ** 31 - 1;

export interface OnnxExportInput {
  dims: Gpt2Dims;
  /** Every parameter under GPT-2's prefix-free names, f32, edits merged in. */
  weights: Map<string, Float32Array>;
  /** tokenizer.json's text. */
  tokenizerJson: string;
  /** The end-of-text id (GPT-2: 50256), or null when the tokenizer has none. */
  eosId: number | null;
  /** The source config.json's fields to keep (names, dropout...), when there is one. */
  sourceConfig?: Record<string, unknown>;
}

export type OnnxFolder = Map<string, string | Uint8Array>;

export function gpt2OnnxFolder(x: OnnxExportInput): OnnxFolder {
  const d = x.dims;
  const bytes = 4 * [...x.weights.values()].reduce((s, w) => s + w.length, 0);
  if (bytes > ONNX_MAX_BYTES - 64 * 2 ** 20) {
    throw new RangeError(
      `ONNX export: ${(bytes / 2 ** 30).toFixed(2)} GiB of f32 weights do not fit one model.onnx (protobuf's 2 GiB limit); export a smaller model.`,
    );
  }
  const eos = x.eosId ?? undefined;
  const config = {
    ...(x.sourceConfig ?? {}),
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    n_layer: d.nLayer,
    n_head: d.nHead,
    n_embd: d.nEmbd,
    n_positions: d.nPositions,
    n_ctx: d.nPositions,
    vocab_size: d.vocabSize,
    layer_norm_epsilon: d.eps,
    activation_function: 'gelu_new',
    tie_word_embeddings: true,
    use_cache: true,
    bos_token_id: eos,
    eos_token_id: eos,
    'transformers.js_config': { dtype: 'fp32' },
  };
  const eosText = eos === undefined ? undefined : tokenText(x.tokenizerJson, eos);
  const tokenizerConfig = {
    tokenizer_class: 'GPT2Tokenizer',
    model_max_length: d.nPositions,
    add_bos_token: false,
    add_prefix_space: false,
    clean_up_tokenization_spaces: false,
    ...(eosText ? { bos_token: eosText, eos_token: eosText, unk_token: eosText } : {}),
  };
  const generation = { _from_model_config: true, bos_token_id: eos, eos_token_id: eos };
  const json = (o: unknown) => JSON.stringify(o, null, 2) + '\n';
  return new Map<string, string | Uint8Array>([
    ['config.json', json(config)],
    ['generation_config.json', json(generation)],
    ['tokenizer.json', x.tokenizerJson],
    ['tokenizer_config.json', json(tokenizerConfig)],
    [ONNX_MODEL_FILE, gpt2Onnx(d, x.weights)],
  ]);
}

/** The text of an added token by id in a tokenizer.json (special tokens live in added_tokens). */
function tokenText(tokenizerJson: string, id: number): string | undefined {
  try {
    const t = JSON.parse(tokenizerJson) as { added_tokens?: { id: number; content: string }[] };
    return t.added_tokens?.find((a) => a.id === id)?.content;
  } catch {
    return undefined;
  }
}

/** A loaded model's current weights (edits merged) as an ONNX folder; `files` are the checkpoint it came from. */
export async function onnxFolderFromModel(
  model: { dims: Gpt2Dims; exportWeights(opts: { merged: boolean }): Promise<Map<string, Float32Array>> },
  files: { config: string; tokenizer: string },
  eosId: number | null,
): Promise<OnnxFolder> {
  let sourceConfig: Record<string, unknown> | undefined;
  try {
    sourceConfig = JSON.parse(files.config) as Record<string, unknown>;
  } catch {
    sourceConfig = undefined;
  }
  const weights = await model.exportWeights({ merged: true });
  return gpt2OnnxFolder({ dims: model.dims, weights, tokenizerJson: files.tokenizer, eosId, sourceConfig });
}
