// The GPT-2 parameter layout of Hugging Face's GPT2Model, and the mapping from a safetensors file onto it.
// Linear layers are HF Conv1D: y = x W + b with W stored (in, out), the transpose of nn.Linear.

import type { Gpt2Config } from './config.ts';
import { WeightsError } from './errors.ts';
import { FLOAT_DTYPES, tensorToFloat32, type SafetensorsFile } from './safetensors.ts';

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

const shapeText = (s: number[]) => `[${s.join(', ')}]`;

/**
 * Validates a GPT-2 safetensors file against `config` and converts every parameter to Float32, keyed by its
 * prefix-free HF name. Accepts names with or without `transformer.`; ignores mask buffers and lm_head.weight.
 * Throws a WeightsError naming the file for a missing, duplicated, unexpected, misshapen, non-float or
 * non-finite tensor.
 */
export function mapHfWeights(file: SafetensorsFile, config: Gpt2Config): Map<string, Float32Array> {
  const fileName = file.fileName;
  const byName = new Map<string, string>(); // prefix-free name -> name in the file
  const unexpected: string[] = [];
  const expected = gpt2ParameterShapes(config);
  const expectedNames = new Set(expected.map((p) => p.name));
  for (const stored of file.tensors.keys()) {
    const name = stored.startsWith(PREFIX) ? stored.slice(PREFIX.length) : stored;
    if (IGNORED.test(name)) continue;
    if (!expectedNames.has(name)) {
      unexpected.push(stored);
      continue;
    }
    const other = byName.get(name);
    if (other !== undefined) {
      throw new WeightsError(
        fileName,
        `holds ${name} twice (as ${JSON.stringify(other)} and ${JSON.stringify(stored)}).`,
      );
    }
    byName.set(name, stored);
  }
  if (unexpected.length > 0) {
    const list =
      unexpected.slice(0, 5).join(', ') +
      (unexpected.length > 5 ? `, ... (${unexpected.length} in all)` : '');
    throw new WeightsError(
      fileName,
      `holds tensors a GPT-2 with ${config.nLayer} layers does not have: ${list}. The weights and config.json do not belong together.`,
    );
  }
  const missing = expected.filter((p) => !byName.has(p.name)).map((p) => p.name);
  if (missing.length > 0) {
    const list =
      missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, ... (${missing.length} in all)` : '');
    throw new WeightsError(fileName, `is missing tensor${missing.length > 1 ? 's' : ''} ${list}.`);
  }

  const weights = new Map<string, Float32Array>();
  for (const { name, shape } of expected) {
    const info = file.tensors.get(byName.get(name)!)!;
    if (shapeText(info.shape) !== shapeText(shape)) {
      const transposed = info.shape.length === 2 && shapeText([...info.shape].reverse()) === shapeText(shape);
      throw new WeightsError(
        fileName,
        `tensor ${name} has shape ${shapeText(info.shape)}, expected ${shapeText(shape)} for this config` +
          (transposed
            ? ' (it looks transposed: GPT-2 Conv1D weights are stored (in, out), not nn.Linear (out, in)).'
            : '.'),
      );
    }
    if (!FLOAT_DTYPES.includes(info.dtype)) {
      throw new WeightsError(
        fileName,
        `tensor ${name} has dtype ${info.dtype}; weights must be ${FLOAT_DTYPES.join(', ')}.`,
      );
    }
    const data = tensorToFloat32(file, info.name);
    let bad = 0;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) bad++;
    if (bad > 0)
      throw new WeightsError(
        fileName,
        `tensor ${name} holds ${bad} NaN or infinite values; the checkpoint is damaged.`,
      );
    weights.set(name, data);
  }
  return weights;
}
