// The parameter layout of Hugging Face's LlamaForCausalLM / Qwen2ForCausalLM / Qwen3ForCausalLM, under their
// full HF names ('model.layers.3.mlp.down_proj.weight'), and the mapping of a checkpoint's tensors onto it.
// Linear weights are nn.Linear: stored (out, in), y = x·Wᵀ.

import type { LlamaConfig } from './llama-config.ts';
import { llamaDims, parameterShapes } from './llama/dims.ts';
import type { SafetensorsFile } from './safetensors.ts';
import {
  isTensorTable,
  mapTensors,
  singleFileTable,
  type ParameterShape,
  type TensorTable,
} from './tensor-table.ts';

/**
 * Every parameter and its shape, in the order of HF's named_parameters(): the model's own table
 * (src/model/llama/dims.ts), so loader and model never disagree.
 */
export function llamaParameterShapes(c: LlamaConfig): ParameterShape[] {
  return parameterShapes(llamaDims(c)).map(([name, shape]) => ({ name, shape }));
}

/** Non-parameter buffers some exports keep (rotary inv_freq caches). */
const IGNORED = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;

/**
 * Validates a Llama-family checkpoint (one file or a sharded table) against `config` and converts every
 * parameter to Float32 under its HF name. A tied model's stored lm_head.weight (some exports keep it) is
 * ignored; an untied model must have one.
 */
export function mapLlamaWeights(
  file: SafetensorsFile | TensorTable,
  config: LlamaConfig,
): Map<string, Float32Array> {
  const table = isTensorTable(file) ? file : singleFileTable(file);
  return mapTensors(table, llamaParameterShapes(config), {
    rename: (stored) => {
      if (IGNORED.test(stored)) return null;
      if (stored === 'lm_head.weight' && config.tiedEmbeddings) return null;
      return stored;
    },
    describe: `a ${config.architecture} with ${config.nLayer} layers`,
    transposedHint: `${config.architecture} linear weights are stored (out, in) as nn.Linear`,
  });
}
