// The GPT-2 parameter layout of Hugging Face's GPT2Model, and the mapping from a safetensors file onto it.
// Linear layers are HF Conv1D: y = x W + b with W stored (in, out), the transpose of nn.Linear.

import type { Gpt2Config } from './config.ts';
import type { SafetensorsFile } from './safetensors.ts';
import { isTensorTable, mapTensors, singleFileTable, type TensorTable } from './tensor-table.ts';

export interface ParameterShape {
  /** HF name without the `transformer.` prefix, e.g. 'h.0.attn.c_attn.weight'. */
  name: string;
  shape: number[];
}

/** Every parameter and its shape, in the order of HF's GPT2Model.named_parameters(). */
export function gpt2ParameterShapes(config: Gpt2Config): ParameterShape[] {
  const C = config.nEmbd;
  const out: ParameterShape[] = [
    { name: 'wte.weight', shape: [config.vocabSize, C] }, // (V, C), tied to lm_head
    { name: 'wpe.weight', shape: [config.nPositions, C] }, // (P, C)
  ];
  for (let l = 0; l < config.nLayer; l++) {
    const h = `h.${l}`;
    out.push(
      { name: `${h}.ln_1.weight`, shape: [C] },
      { name: `${h}.ln_1.bias`, shape: [C] },
      { name: `${h}.attn.c_attn.weight`, shape: [C, 3 * C] }, // q, k, v side by side along the output
      { name: `${h}.attn.c_attn.bias`, shape: [3 * C] },
      { name: `${h}.attn.c_proj.weight`, shape: [C, C] },
      { name: `${h}.attn.c_proj.bias`, shape: [C] },
      { name: `${h}.ln_2.weight`, shape: [C] },
      { name: `${h}.ln_2.bias`, shape: [C] },
      { name: `${h}.mlp.c_fc.weight`, shape: [C, 4 * C] },
      { name: `${h}.mlp.c_fc.bias`, shape: [4 * C] },
      { name: `${h}.mlp.c_proj.weight`, shape: [4 * C, C] },
      { name: `${h}.mlp.c_proj.bias`, shape: [C] },
    );
  }
  out.push({ name: 'ln_f.weight', shape: [C] }, { name: 'ln_f.bias', shape: [C] });
  return out;
}

/** Tensors HF may store that are not parameters (causal-mask buffers) or are tied to one (lm_head = wte). */
const IGNORED = /^(h\.\d+\.attn\.(bias|masked_bias)|lm_head\.weight)$/;

const PREFIX = 'transformer.';

/**
 * Validates a GPT-2 safetensors file (or the tensors of a sharded checkpoint) against `config` and converts
 * every parameter to Float32, keyed by its prefix-free HF name. Accepts names with or without `transformer.`;
 * ignores mask buffers and lm_head.weight. Throws a WeightsError naming the file for a missing, duplicated,
 * unexpected, misshapen, non-float or non-finite tensor.
 */
export function mapHfWeights(
  file: SafetensorsFile | TensorTable,
  config: Gpt2Config,
): Map<string, Float32Array> {
  const table = isTensorTable(file) ? file : singleFileTable(file);
  return mapTensors(table, gpt2ParameterShapes(config), {
    rename: (stored) => {
      const name = stored.startsWith(PREFIX) ? stored.slice(PREFIX.length) : stored;
      return IGNORED.test(name) ? null : name;
    },
    describe: `a GPT-2 with ${config.nLayer} layers`,
    transposedHint: 'GPT-2 Conv1D weights are stored (in, out), not nn.Linear (out, in)',
  });
}
