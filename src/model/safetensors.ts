// Reading and writing the safetensors container (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__},
// then the raw little-endian tensor bytes, offsets relative to the byte after the header. Every field is checked
// before use: the file may be truncated or hostile.

import { SafetensorsError } from './errors.ts';
import { decodeBf16, decodeF16, encodeF16 } from './half.ts';

/** Bytes per element of every dtype the format defines (sub-byte FP4/FP6 types are not supported). */
const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** The dtypes `tensorToFloat32` converts. */
export const FLOAT_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16'];

/** Matches the safetensors crate's limit: a larger header is a broken or hostile file. */
const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute offset of the first byte in the file. */
  byteOffset: number;
  byteLength: number;
}

export interface SafetensorsFile {
  fileName: string;
  bytes: Uint8Array;
  /** In file order (by offset). */
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isNonNegativeInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function parseEntry(
  name: string,
  entry: unknown,
  dataStart: number,
  dataLength: number,
  fileName: string,
): TensorInfo {
  const fail = (problem: string) =>
    new SafetensorsError(fileName, `tensor ${JSON.stringify(name)} ${problem}`);
  if (!isRecord(entry)) throw fail('has a header entry that is not an object.');
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw fail(
      `has unknown dtype ${JSON.stringify(dtype)}; known dtypes are ${Object.keys(DTYPE_BYTES).join(', ')}.`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) {
    throw fail(`has an invalid shape ${JSON.stringify(shape)}; a shape is a list of non-negative integers.`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every(isNonNegativeInt) ||
    offsets[0] > offsets[1]
  ) {
    throw fail(
      `has invalid data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with 0 <= begin <= end.`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    throw fail(
      `runs out of range: its bytes [${begin}, ${end}) end past the ${dataLength} data bytes of the file (truncated download?).`,
    );
  }
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = elements * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (expected !== end - begin) {
    throw fail(
      `has shape [${shape.join(', ')}] of ${dtype}, which needs ${expected} bytes, but its offsets span ${end - begin}.`,
    );
  }
  return {
    name,
    dtype: dtype as SafetensorsDtype,
    shape: shape as number[],
    byteOffset: dataStart + begin,
    byteLength: end - begin,
  };
}

/** Parses and validates the header; the tensor bytes stay in `bytes` until converted. */
export function parseSafetensors(bytes: Uint8Array, fileName: string): SafetensorsFile {
  if (bytes.length < 8) {
    throw new SafetensorsError(
      fileName,
      `is ${bytes.length} bytes long, too short to be a safetensors file (8-byte header length missing).`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > bytes.length - 8) {
    throw new SafetensorsError(
      fileName,
      `declares a ${headerLength}-byte header but the file has only ${bytes.length - 8} bytes after the length: truncated or not a safetensors file.`,
    );
  }
  if (headerLength > MAX_HEADER_BYTES) {
    throw new SafetensorsError(
      fileName,
      `declares a ${headerLength}-byte header, more than the ${MAX_HEADER_BYTES} allowed.`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    );
  } catch (e) {
    throw new SafetensorsError(
      fileName,
      `has a header that is not valid UTF-8 JSON (${(e as Error).message}).`,
    );
  }
  if (!isRecord(header)) throw new SafetensorsError(fileName, 'has a header that is not a JSON object.');

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const infos: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isRecord(entry)) throw new SafetensorsError(fileName, 'has __metadata__ that is not an object.');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string')
          throw new SafetensorsError(fileName, `has __metadata__.${k} that is not a string.`);
        metadata[k] = v;
      }
      continue;
    }
    infos.push(parseEntry(name, entry, dataStart, dataLength, fileName));
  }
  // Two tensors must never share bytes: a hostile file could otherwise alias weights.
  infos.sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  for (let i = 1; i < infos.length; i++) {
    const prev = infos[i - 1];
    if (infos[i].byteOffset < prev.byteOffset + prev.byteLength) {
      throw new SafetensorsError(
        fileName,
        `has overlapping tensors: ${JSON.stringify(prev.name)} and ${JSON.stringify(infos[i].name)} share bytes.`,
      );
    }
  }
  return { fileName, bytes, tensors: new Map(infos.map((t) => [t.name, t])), metadata };
}

/** Converts one tensor (F32, F16 or BF16) to a fresh Float32Array, independent of the file's bytes. */
export function tensorToFloat32(file: SafetensorsFile, name: string): Float32Array {
  const info = file.tensors.get(name);
  if (!info) throw new SafetensorsError(file.fileName, `has no tensor named ${JSON.stringify(name)}.`);
  if (!LITTLE_ENDIAN) throw new SafetensorsError(file.fileName, 'cannot be read on a big-endian machine.');
  // A copy of the bytes is aligned for any typed array, whatever the offset in the file. (Copy with the
  // Uint8Array constructor: a Node Buffer's slice() is a view into a shared pool, not a copy.)
  const raw = new Uint8Array(file.bytes.subarray(info.byteOffset, info.byteOffset + info.byteLength)).buffer;
  switch (info.dtype) {
    case 'F32':
      return new Float32Array(raw);
    case 'F16':
    case 'BF16': {
      const half = new Uint16Array(raw);
      const out = new Float32Array(half.length);
      (info.dtype === 'F16' ? decodeF16 : decodeBf16)(half, out);
      return out;
    }
    default:
      throw new SafetensorsError(
        file.fileName,
        `tensor ${JSON.stringify(name)} has dtype ${info.dtype}; only ${FLOAT_DTYPES.join(', ')} weights can be loaded.`,
      );
  }
}

/**
 * Writes tensors, in the given order, as F32 or F16 (rounded to nearest even). The header is padded with spaces
 * to a multiple of 8 bytes, as the safetensors crate does, so tensor data stays aligned.
 */
export function serializeSafetensors(
  tensors: TensorToWrite[],
  dtype: 'F32' | 'F16' = 'F32',
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    const elements = t.shape.reduce((a, b) => a * b, 1);
    if (elements !== t.data.length) {
      throw new RangeError(
        `Tensor ${t.name}: shape [${t.shape.join(', ')}] holds ${elements} values, data has ${t.data.length}.`,
      );
    }
    const typed = dtype === 'F16' ? encodeF16(t.data) : t.data;
    const payload = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + payload.length] };
    payloads.push(payload);
    offset += payload.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((new TextEncoder().encode(json).length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const p of payloads) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
