// What each weight dtype costs for one model on this adapter, for the app's model picker: the exact bytes of
// the weight plan the loader would allocate (src/model/factory.ts weightPlan: linears in the dtype, the
// embedding/head in f16 or q8_0, the rest f32) and chooseDtype's verdict (src/model/quant/choose.ts: a buffer
// over the adapter's binding limit or a total over the memory budget refuses a dtype, with a sentence; the
// default is the most precise one that fits with room to spare and holds the file's precision).

import type { ModelConfig } from '../model/config.ts';
import { weightPlan, type AdapterLimits } from '../model/factory.ts';
import { chooseDtype, type ModelTensors } from '../model/quant/choose.ts';
import { planBytes } from '../model/quant/load.ts';
import { storageMatrix } from '../model/quant/tensors.ts';
import type { WeightChoice } from './types.ts';

/**
 * The model's tensors as chooseDtype counts them, read off the int4 plan (the one plan where linears (q4_0),
 * embeddings (q8_0) and the f32 rest are told apart by format). A linear is given as its storage matrix.
 */
export function planTensors(config: ModelConfig): ModelTensors {
  const out: Required<ModelTensors> = { linears: [], others: [], embeddings: [] };
  for (const t of weightPlan(config, 'int4')) {
    const [rows, cols] = storageMatrix(t.shape);
    if (t.format === 'q4_0') out.linears.push({ nIn: rows, nOut: cols, order: 'in_out' });
    else if (t.format === 'q8_0') out.embeddings.push({ name: t.name, rows, cols });
    else out.others.push({ name: t.name, elements: rows * cols });
  }
  return out;
}

/** Precision of a checkpoint's stored weights in bits (ModelSummary.dtype: 'F32', 'F16', 'BF16', 'GGUF Q8_0'...). */
export function storedBits(stored: string | undefined): number {
  if (!stored || stored === 'F32' || stored === 'mixed') return 32;
  if (stored === 'F16' || stored === 'BF16') return 16;
  if (stored.startsWith('GGUF')) {
    if (/\bF32\b/.test(stored)) return 32;
    if (/\b(F16|BF16)\b/.test(stored)) return 16;
    if (/\bQ8_0\b/.test(stored)) return 8.5;
    return 4.5; // Q4_0, Q4_K, Q6_K and mixes of them
  }
  return 32;
}

/** Every dtype for `config` on an adapter with `limits`, with exact weight bytes and the default. */
export function weightOptions(
  config: ModelConfig,
  limits: AdapterLimits & { memoryBytes?: number },
  stored?: string,
): WeightChoice {
  const choice = chooseDtype(planTensors(config), limits, storedBits(stored));
  return {
    ...choice,
    options: choice.options.map((o) => ({ ...o, weightBytes: planBytes(weightPlan(config, o.dtype)) })),
  };
}
