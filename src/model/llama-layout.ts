// The parameter layout of Hugging Face's LlamaForCausalLM / Qwen2ForCausalLM / Qwen3ForCausalLM, under their
// full HF names ('model.layers.3.mlp.down_proj.weight'), and the mapping of a checkpoint's tensors onto it.
// Linear weights are nn.Linear: stored (out, in), y = x·Wᵀ.

import type { LlamaConfig } from './llama-config.ts';
import type { SafetensorsFile } from './safetensors.ts';
import {
  isTensorTable,
  mapTensors,
  singleFileTable,
  type ParameterShape,
  type TensorTable,
} from './tensor-table.ts';

/** Every parameter and its shape, in the order of HF's named_parameters(). */
export function llamaParameterShapes(c: LlamaConfig): ParameterShape[] {
  const C = c.nEmbd;
  const q = c.nHead * c.headDim;
  const kv = c.nKvHead * c.headDim;
  const out: ParameterShape[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, C] }];
  for (let l = 0; l < c.nLayer; l++) {
    const p = `model.layers.${l}`;
    const proj = (name: string, nOut: number, nIn: number, bias: boolean) => {
      out.push({ name: `${p}.self_attn.${name}.weight`, shape: [nOut, nIn] });
      if (bias) out.push({ name: `${p}.self_attn.${name}.bias`, shape: [nOut] });
    };
    const qkvBias = c.attentionBias !== 'none';
    proj('q_proj', q, C, qkvBias);
    proj('k_proj', kv, C, qkvBias);
    proj('v_proj', kv, C, qkvBias);
    proj('o_proj', C, q, c.attentionBias === 'qkvo');
    if (c.qkNorm) {
      out.push(
        { name: `${p}.self_attn.q_norm.weight`, shape: [c.headDim] },
        { name: `${p}.self_attn.k_norm.weight`, shape: [c.headDim] },
      );
    }
    out.push(
      { name: `${p}.mlp.gate_proj.weight`, shape: [c.nInner, C] },
      { name: `${p}.mlp.up_proj.weight`, shape: [c.nInner, C] },
      { name: `${p}.mlp.down_proj.weight`, shape: [C, c.nInner] },
      { name: `${p}.input_layernorm.weight`, shape: [C] },
      { name: `${p}.post_attention_layernorm.weight`, shape: [C] },
    );
  }
  out.push({ name: 'model.norm.weight', shape: [C] });
  if (!c.tiedEmbeddings) out.push({ name: 'lm_head.weight', shape: [c.vocabSize, C] });
  return out;
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
