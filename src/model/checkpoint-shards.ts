// Sharded safetensors checkpoints: model.safetensors.index.json ({metadata, weight_map: {tensor: shard file}})
// and the shards it names (model-00001-of-00002.safetensors ...), read into one TensorTable; and writing a
// checkpoint as shards. The index comes from outside: shard names are checked before any is fetched (no paths,
// no traversal), and every tensor it names must be in the shard it names.

import { MissingFileError, WeightsError } from './errors.ts';
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from './safetensors.ts';
import type { TensorEntry, TensorTable } from './tensor-table.ts';

export const SHARD_INDEX_FILE = 'model.safetensors.index.json';

/** Far above any real checkpoint (Llama 3 405B has 191 shards): past it the index is broken or hostile. */
export const MAX_SHARDS = 1024;

/** A shard's file name: one path segment ending in .safetensors, HF's usual characters only. */
const SHARD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.safetensors$/;

export interface ShardIndex {
  fileName: string;
  /** tensor name -> shard file name. */
  weightMap: Map<string, string>;
  /** Distinct shard files in first-mention order. */
  shards: string[];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses and checks an index file; `fileName` is what errors name. */
export function parseShardIndex(text: string, fileName: string): ShardIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new WeightsError(fileName, `is not valid JSON (${(e as Error).message}).`);
  }
  if (!isRecord(raw) || !isRecord(raw.weight_map)) {
    throw new WeightsError(
      fileName,
      'has no weight_map object; a sharded checkpoint index maps each tensor name to its shard file.',
    );
  }
  const weightMap = new Map<string, string>();
  const shards: string[] = [];
  for (const [tensor, shard] of Object.entries(raw.weight_map)) {
    if (typeof shard !== 'string' || !SHARD_NAME.test(shard) || shard.includes('..')) {
      throw new WeightsError(
        fileName,
        `maps tensor ${JSON.stringify(tensor)} to ${JSON.stringify(shard)}, which is not a .safetensors file name in the same folder.`,
      );
    }
    if (!shards.includes(shard)) {
      shards.push(shard);
      if (shards.length > MAX_SHARDS) {
        throw new WeightsError(fileName, `names more than ${MAX_SHARDS} shard files; the index is damaged.`);
      }
    }
    weightMap.set(tensor, shard);
  }
  if (weightMap.size === 0) throw new WeightsError(fileName, 'has an empty weight_map: it names no tensors.');
  return { fileName, weightMap, shards };
}

/**
 * One table over every shard. `shardBytes` holds each file the index names (a missing one is a
 * MissingFileError naming it); `name(file)` gives the path or URL errors show. Every tensor the index names must
 * be in its shard; a tensor in a shard that the index does not name, or one in two shards, is refused.
 */
export function shardedTable(
  index: ShardIndex,
  shardBytes: ReadonlyMap<string, Uint8Array>,
  name: (file: string) => string,
): TensorTable {
  const tensors = new Map<string, TensorEntry>();
  for (const shard of index.shards) {
    const bytes = shardBytes.get(shard);
    if (!bytes) {
      throw new MissingFileError(
        name(shard),
        `not found: ${index.fileName.split('/').pop()} names this shard. Download every shard into the folder (or check the index).`,
      );
    }
    const file = parseSafetensors(bytes, name(shard));
    for (const [tensor, info] of file.tensors) {
      const listed = index.weightMap.get(tensor);
      if (listed !== shard) {
        throw new WeightsError(
          file.fileName,
          listed === undefined
            ? `holds tensor ${tensor}, which ${SHARD_INDEX_FILE} does not name; the index and the shards do not belong together.`
            : `holds tensor ${tensor}, which ${SHARD_INDEX_FILE} puts in ${listed}; the index and the shards do not belong together.`,
        );
      }
      tensors.set(tensor, { file, info });
    }
  }
  for (const [tensor, shard] of index.weightMap) {
    if (!tensors.has(tensor)) {
      throw new WeightsError(
        name(shard),
        `does not hold tensor ${tensor}, which ${SHARD_INDEX_FILE} says is there. The shard is from another checkpoint or the download is damaged: download it again.`,
      );
    }
  }
  return { fileName: index.fileName, tensors };
}

export interface ShardedFiles {
  index: string;
  shards: Map<string, Uint8Array>;
}

/**
 * Writes tensors as shards of at most about `maxShardBytes` each (a tensor is never split; one larger than the
 * limit gets a shard of its own), named as save_pretrained does: model-00001-of-0000N.safetensors.
 */
export function serializeShards(
  tensors: TensorToWrite[],
  dtype: 'F32' | 'F16',
  maxShardBytes: number,
): ShardedFiles {
  const bytesPer = dtype === 'F16' ? 2 : 4;
  const groups: TensorToWrite[][] = [];
  let current: TensorToWrite[] = [];
  let size = 0;
  for (const t of tensors) {
    const bytes = t.data.length * bytesPer;
    if (current.length > 0 && size + bytes > maxShardBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(t);
    size += bytes;
  }
  if (current.length > 0) groups.push(current);
  const pad = (n: number) => String(n).padStart(5, '0');
  const shards = new Map<string, Uint8Array>();
  const weightMap: Record<string, string> = {};
  let total = 0;
  groups.forEach((group, i) => {
    const file = `model-${pad(i + 1)}-of-${pad(groups.length)}.safetensors`;
    shards.set(file, serializeSafetensors(group, dtype));
    for (const t of group) {
      weightMap[t.name] = file;
      total += t.data.length * bytesPer;
    }
  });
  const index = JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2) + '\n';
  return { index, shards };
}
