// Which weight dtype a model can be loaded in on this adapter, and which one to pick by default (the app's model
// picker shows every option with its GPU bytes and, for a refused one, why). Plain data in, plain data out: no
// GPU objects, so the app and the worker can both call it.
//
// Bytes are exact sums of the formats' buffer sizes (src/reference/quant.ts): linears in the dtype, the token
// embedding / LM head in embeddingFormat (f16 or q8_0, as src/model/factory.ts weightPlan loads them), every
// other tensor (norms, biases, positions) f32, plus an allowance for one edit's activations. A choice
// is refused when one buffer exceeds the adapter's binding/buffer limits, or the total exceeds the memory budget
// (the browser does not say how much GPU memory there is: the caller passes a budget, 4 GiB for a laptop by
// default). The default is the most precise dtype that fits with 20 % to spare, and never more precise than the
// file itself (an int4 GGUF is not inflated to f32), so it is never a choice that cannot fit.

import { packedBytes, type QuantFormat } from '../../reference/quant.ts';
import type { StorageOrder } from '../language-model.ts';
import { dtypeFormat, embeddingFormat, storageShape, WEIGHT_DTYPES, type WeightDtype } from './apply.ts';

export interface ModelTensors {
  /** Every linear layer (block, role) with its logical shape and storage order. */
  linears: { nIn: number; nOut: number; order: StorageOrder }[];
  /** Element counts of every other tensor (stays f32). */
  others: { name: string; elements: number }[];
  /** The token embedding and an untied head, (rows, cols): stored in embeddingFormat(dtype). */
  embeddings?: { name: string; rows: number; cols: number }[];
}

export interface AdapterBudget {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  /** GPU memory the model may use (default 4 GiB). */
  memoryBytes?: number;
}

export interface DtypeOption {
  dtype: WeightDtype;
  /** Weights plus the activation allowance. */
  gpuBytes: number;
  largestBufferBytes: number;
  fits: boolean;
  /** Why the option is refused (absent when it fits). */
  reason?: string;
}

export interface DtypeChoice {
  options: DtypeOption[];
  /** Absent when nothing fits (then every option has a reason). */
  default?: WeightDtype;
  /** One sentence: why the default. */
  why: string;
}

export const DEFAULT_MEMORY_BYTES = 4 * 2 ** 30;
/** One edit's activations and head rows at T ≤ 64 (measured sizes are far below this for ≤ 2B models). */
export const ACTIVATION_ALLOWANCE = 256 * 2 ** 20;
const SPARE = 0.8;

const BITS: Record<WeightDtype, number> = { f32: 32, f16: 16, int8: 8.5, int4: 4.5 };
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

function linearBytes(format: QuantFormat | 'f32', l: ModelTensors['linears'][number]): number {
  return packedBytes(format, ...storageShape(l.order, l.nIn, l.nOut));
}

/**
 * Every dtype with its bytes and verdict, and the default. `sourceBits` is the precision of the stored weights
 * (32 for F32, 16 for F16/BF16, about 8.5 for GGUF Q8_0, 4.5 to 6.6 for Q4_0/Q4_K/Q6_K); default 32.
 */
export function chooseDtype(model: ModelTensors, budget: AdapterBudget, sourceBits = 32): DtypeChoice {
  const memory = budget.memoryBytes ?? DEFAULT_MEMORY_BYTES;
  const bindLimit = Math.min(budget.maxStorageBufferBindingSize, budget.maxBufferSize);
  const otherBytes = model.others.reduce((a, t) => a + 4 * t.elements, 0);
  const largestOther = model.others.reduce(
    (a, t) => (4 * t.elements > a.bytes ? { name: t.name, bytes: 4 * t.elements } : a),
    {
      name: '',
      bytes: 0,
    },
  );
  const options: DtypeOption[] = WEIGHT_DTYPES.map((dtype) => {
    const format = dtypeFormat(dtype);
    let lin = 0;
    let largest = largestOther.bytes;
    let largestName = largestOther.name;
    for (const l of model.linears) {
      const b = linearBytes(format, l);
      lin += b;
      if (b > largest) [largest, largestName] = [b, `a ${l.nIn}x${l.nOut} linear weight`];
    }
    for (const e of model.embeddings ?? []) {
      const b = packedBytes(embeddingFormat(dtype), e.rows, e.cols);
      lin += b;
      if (b > largest) [largest, largestName] = [b, e.name];
    }
    const gpuBytes = lin + otherBytes + ACTIVATION_ALLOWANCE;
    let reason: string | undefined;
    if (largest > bindLimit) {
      reason = `${dtype}: ${largestName} needs ${mib(largest)} in one buffer; this adapter binds at most ${mib(bindLimit)}.`;
    } else if (gpuBytes > memory) {
      reason = `${dtype}: the model needs about ${gib(gpuBytes)} of GPU memory; the budget is ${gib(memory)}.`;
    }
    return {
      dtype,
      gpuBytes,
      largestBufferBytes: largest,
      fits: reason === undefined,
      ...(reason ? { reason } : {}),
    };
  });
  const fitting = options.filter((o) => o.fits);
  if (fitting.length === 0) {
    return { options, why: 'No dtype fits this adapter: pick a smaller model or a GPU with more memory.' };
  }
  // Most precise first, but not above the file's own precision (the smallest dtype that still holds it).
  const holds = fitting.filter((o) => BITS[o.dtype] >= Math.min(sourceBits, 32));
  const cap = holds.length ? holds[holds.length - 1] : fitting[0];
  const comfortable = fitting.filter((o) => BITS[o.dtype] <= BITS[cap.dtype] && o.gpuBytes <= memory * SPARE);
  const pick = comfortable[0] ?? fitting[fitting.length - 1];
  const why =
    pick.dtype === cap.dtype
      ? `${pick.dtype}: the most precise choice that holds the file's precision and fits (${gib(pick.gpuBytes)} of ${gib(memory)}).`
      : `${pick.dtype}: more precise choices leave less than 20 % of the ${gib(memory)} budget free.`;
  return { options, default: pick.dtype, why };
}
