// The tensors of a checkpoint, from one model.safetensors or from the shards a model.safetensors.index.json
// names, behind one table; and the checked conversion of an architecture's expected parameters out of it.
// Every problem is a WeightsError naming the file at fault (the shard, or the index) and what to do.

import { WeightsError } from './errors.ts';
import { FLOAT_DTYPES, tensorToFloat32, type SafetensorsFile, type TensorInfo } from './safetensors.ts';

export interface TensorEntry {
  file: SafetensorsFile;
  info: TensorInfo;
}

export interface TensorTable {
  /** What errors about the checkpoint as a whole name: model.safetensors, or the index file. */
  fileName: string;
  /** Every tensor by its name in the file(s). */
  tensors: Map<string, TensorEntry>;
}

export interface ParameterShape {
  name: string;
  shape: number[];
}

export function singleFileTable(file: SafetensorsFile): TensorTable {
  const tensors = new Map<string, TensorEntry>();
  for (const [name, info] of file.tensors) tensors.set(name, { file, info });
  return { fileName: file.fileName, tensors };
}

export function isTensorTable(x: SafetensorsFile | TensorTable): x is TensorTable {
  return !('bytes' in x);
}

const shapeText = (s: number[]) => `[${s.join(', ')}]`;

function listOf(names: string[]): string {
  return names.slice(0, 5).join(', ') + (names.length > 5 ? `, ... (${names.length} in all)` : '');
}

export interface MapOptions {
  /**
   * The parameter name a stored tensor plays, or null to ignore it (buffers, a tied lm_head). Lets a family
   * accept optional prefixes ('transformer.').
   */
  rename: (stored: string) => string | null;
  /** 'a GPT-2 with 12 layers', for the unexpected-tensors sentence. */
  describe: string;
  /** A hint appended when a 2-D tensor has the transposed shape. */
  transposedHint: string;
}

/**
 * Validates `table` against `expected` and converts each parameter to Float32 (from F32, F16 or BF16). Throws a
 * WeightsError for a missing, duplicated, unexpected, misshapen, non-float or non-finite tensor, naming the
 * file the tensor is in.
 */
export function mapTensors(
  table: TensorTable,
  expected: ParameterShape[],
  options: MapOptions,
): Map<string, Float32Array> {
  const byName = new Map<string, string>(); // parameter name -> stored name
  const unexpected: string[] = [];
  const expectedNames = new Set(expected.map((p) => p.name));
  for (const stored of table.tensors.keys()) {
    const name = options.rename(stored);
    if (name === null) continue;
    if (!expectedNames.has(name)) {
      unexpected.push(stored);
      continue;
    }
    const other = byName.get(name);
    if (other !== undefined) {
      throw new WeightsError(
        table.fileName,
        `holds ${name} twice (as ${JSON.stringify(other)} and ${JSON.stringify(stored)}).`,
      );
    }
    byName.set(name, stored);
  }
  if (unexpected.length > 0) {
    throw new WeightsError(
      table.fileName,
      `holds tensors ${options.describe} does not have: ${listOf(unexpected)}. The weights and config.json do not belong together.`,
    );
  }
  const missing = expected.filter((p) => !byName.has(p.name)).map((p) => p.name);
  if (missing.length > 0) {
    throw new WeightsError(
      table.fileName,
      `is missing tensor${missing.length > 1 ? 's' : ''} ${listOf(missing)}.`,
    );
  }
  const weights = new Map<string, Float32Array>();
  for (const { name, shape } of expected) {
    const { file, info } = table.tensors.get(byName.get(name)!)!;
    if (shapeText(info.shape) !== shapeText(shape)) {
      const transposed = info.shape.length === 2 && shapeText([...info.shape].reverse()) === shapeText(shape);
      throw new WeightsError(
        file.fileName,
        `tensor ${name} has shape ${shapeText(info.shape)}, expected ${shapeText(shape)} for this config` +
          (transposed ? ` (it looks transposed: ${options.transposedHint}).` : '.'),
      );
    }
    if (!FLOAT_DTYPES.includes(info.dtype)) {
      throw new WeightsError(
        file.fileName,
        `tensor ${name} has dtype ${info.dtype}; weights must be ${FLOAT_DTYPES.join(', ')}.`,
      );
    }
    const data = tensorToFloat32(file, info.name);
    let bad = 0;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) bad++;
    if (bad > 0) {
      throw new WeightsError(
        file.fileName,
        `tensor ${name} holds ${bad} NaN or infinite values; the checkpoint is damaged.`,
      );
    }
    weights.set(name, data);
  }
  return weights;
}

/** The storage dtype of a table's float tensors ('BF16', 'F16', 'F32', or 'mixed'), for display. */
export function tableDtype(table: TensorTable): string {
  const seen = new Set<string>();
  for (const { info } of table.tensors.values()) seen.add(info.dtype);
  return seen.size === 1 ? [...seen][0] : seen.size === 0 ? 'none' : 'mixed';
}
