// Reading a GGUF file's header (ggml docs/gguf.md): magic "GGUF", version (2 or 3), u64 tensor count, u64
// metadata count, the metadata key/values, the tensor table (name, n_dims, u64 dims with ne[0] the fastest
// varying, ggml type, u64 offset), padding to `general.alignment` (default 32), then the tensor data.
// Every count, length and offset comes from outside and is checked before it is used: a count is refused when the
// bytes left could not hold that many entries (so nothing is allocated beyond what the file justifies), strings
// must lie inside the file and be UTF-8, dims are 1..4 with a safe element count, tensors lie inside the data
// section, aligned, without overlap, with unique names. llama.cpp has had CVEs for each of these.

import { ModelFileError } from '../errors.ts';
import {
  GGML_TYPES,
  GGUF_ALIGNMENT_KEY,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  MAX_DIMS,
  VALUE_BYTES,
  ValueType,
  ggmlTypeName,
} from './format.ts';

/** The GGUF container is malformed or hostile (header, metadata, tensor table, offsets). */
export class GgufError extends ModelFileError {
  override name = 'GgufError';
}

type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array;

/** A metadata value: 64-bit integers are numbers when they are safe integers, else bigints. */
export type GgufValue = number | bigint | boolean | string | TypedArray | string[] | boolean[] | GgufValue[];

export interface GgufKv {
  type: number;
  /** For arrays, the element type. */
  itemType?: number;
  value: GgufValue;
}

export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the fastest varying (a PyTorch (out, in) weight has dims [in, out]). */
  dims: number[];
  type: number;
  typeName: string;
  elements: number;
  byteLength: number;
  /** Absolute offset of the first byte in the file. */
  byteOffset: number;
}

export interface GgufFile {
  fileName: string;
  version: number;
  metadata: Map<string, GgufKv>;
  /** In the order of the tensor table. */
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute offset of the tensor data section. */
  dataOffset: number;
  fileSize: number;
}

/** Thrown (internally) when the header runs past the bytes read so far but not past the file: read more. */
export class HeaderIncomplete extends Error {
  constructor(readonly needed: number) {
    super(`GGUF header needs at least ${needed} bytes`);
  }
}

const MAX_KEY_BYTES = 65_535;
const MAX_NAME_BYTES = 255;
const MAX_ARRAY_DEPTH = 3;
/** Minimum bytes of one serialized entry: a KV (empty key + type + u8 value) and a tensor info (empty name). */
const MIN_KV_BYTES = 8 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Cursor {
  pos = 0;
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly fileSize: number,
    private readonly fail: (problem: string) => GgufError,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes of the file after the cursor (not only of the prefix read so far). */
  get left(): number {
    return this.fileSize - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.left) {
      throw this.fail(
        `ends inside ${what} (needs ${n} bytes at offset ${this.pos}, the file has ${this.left} left): truncated or not a GGUF file.`,
      );
    }
    if (this.pos + n > this.bytes.length) throw new HeaderIncomplete(this.pos + n);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** A u64 as a number when it is at most 2^53 - 1, else Infinity (callers refuse it as too large). */
  u64(what: string): number {
    this.need(8, what);
    const low = this.view.getUint32(this.pos, true);
    const high = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    const v = high * 2 ** 32 + low;
    return Number.isSafeInteger(v) ? v : Infinity;
  }
  string(what: string, maxBytes: number): string {
    const n = this.u64(`the length of ${what}`);
    if (n > this.left) {
      throw this.fail(
        `declares ${what} of ${n} bytes at offset ${this.pos}, past the end of the file (${this.left} bytes left).`,
      );
    }
    if (n > maxBytes) throw this.fail(`declares ${what} of ${n} bytes; at most ${maxBytes} are allowed.`);
    this.need(n, what);
    let s: string;
    try {
      s = utf8.decode(this.bytes.subarray(this.pos, this.pos + n));
    } catch {
      throw this.fail(`has ${what} at offset ${this.pos} that is not valid UTF-8.`);
    }
    this.pos += n;
    return s;
  }
  /** A copy of `n` bytes (typed arrays over it are aligned whatever the offset). */
  take(n: number, what: string): ArrayBuffer {
    this.need(n, what);
    const out = this.bytes.slice(this.pos, this.pos + n).buffer;
    this.pos += n;
    return out;
  }
  scalar(type: number, what: string): number | bigint | boolean {
    this.need(VALUE_BYTES[type], what);
    const v = this.view;
    const at = this.pos;
    this.pos += VALUE_BYTES[type];
    switch (type) {
      case ValueType.UINT8:
        return v.getUint8(at);
      case ValueType.INT8:
        return v.getInt8(at);
      case ValueType.UINT16:
        return v.getUint16(at, true);
      case ValueType.INT16:
        return v.getInt16(at, true);
      case ValueType.UINT32:
        return v.getUint32(at, true);
      case ValueType.INT32:
        return v.getInt32(at, true);
      case ValueType.FLOAT32:
        return v.getFloat32(at, true);
      case ValueType.FLOAT64:
        return v.getFloat64(at, true);
      case ValueType.BOOL: {
        const b = v.getUint8(at);
        if (b > 1) throw this.fail(`has ${what} at offset ${at}, a bool that is ${b} (must be 0 or 1).`);
        return b === 1;
      }
      case ValueType.UINT64: {
        const x = v.getBigUint64(at, true);
        return x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
      }
      default: {
        const x = v.getBigInt64(at, true);
        return x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(x) : x;
      }
    }
  }
}

const TYPED: Record<number, (b: ArrayBuffer) => TypedArray> = {
  [ValueType.UINT8]: (b) => new Uint8Array(b),
  [ValueType.INT8]: (b) => new Int8Array(b),
  [ValueType.UINT16]: (b) => new Uint16Array(b),
  [ValueType.INT16]: (b) => new Int16Array(b),
  [ValueType.UINT32]: (b) => new Uint32Array(b),
  [ValueType.INT32]: (b) => new Int32Array(b),
  [ValueType.FLOAT32]: (b) => new Float32Array(b),
  [ValueType.FLOAT64]: (b) => new Float64Array(b),
  [ValueType.UINT64]: (b) => new BigUint64Array(b),
  [ValueType.INT64]: (b) => new BigInt64Array(b),
};

function readValue(c: Cursor, type: number, what: string, fail: (p: string) => GgufError, depth = 0): GgufKv {
  if (type === ValueType.STRING) return { type, value: c.string(what, Number.MAX_SAFE_INTEGER) };
  if (type !== ValueType.ARRAY) {
    if (!(type in VALUE_BYTES)) throw fail(`has ${what} of unknown value type ${type} (GGUF defines 0..12).`);
    return { type, value: c.scalar(type, what) };
  }
  if (depth >= MAX_ARRAY_DEPTH) throw fail(`has ${what} nested more than ${MAX_ARRAY_DEPTH} arrays deep.`);
  const itemType = c.u32(`the element type of ${what}`);
  const n = c.u64(`the length of ${what}`);
  const minItem = itemType === ValueType.STRING || itemType === ValueType.ARRAY ? 8 : VALUE_BYTES[itemType];
  if (minItem === undefined) throw fail(`has ${what}, an array of unknown value type ${itemType}.`);
  if (n * minItem > c.left) {
    throw fail(
      `declares ${what} with ${n} elements, more than the ${c.left} bytes left in the file can hold.`,
    );
  }
  if (TYPED[itemType]) return { type, itemType, value: TYPED[itemType](c.take(n * minItem, what)) };
  const values: GgufValue[] = [];
  for (let i = 0; i < n; i++) values.push(readValue(c, itemType, `${what}[${i}]`, fail, depth + 1).value);
  return { type, itemType, value: values };
}

/**
 * Parses the header of a GGUF file from `bytes`, a prefix of the file (the whole file, or at least the header;
 * `fileSize` is the size of the whole file). Throws GgufError naming `fileName` for every malformed field, and
 * HeaderIncomplete when the prefix ends before the header does (readGguf then reads more).
 */
export function parseGgufHeader(bytes: Uint8Array, fileName: string, fileSize = bytes.length): GgufFile {
  const fail = (problem: string) => new GgufError(fileName, problem);
  const c = new Cursor(bytes, fileSize, fail);
  if (
    fileSize < 4 ||
    (bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) !== GGUF_MAGIC)
  ) {
    throw fail('is not a GGUF file (it does not start with the bytes "GGUF").');
  }
  c.pos = 4;
  const version = c.u32('the version');
  if (version !== 2 && version !== 3) {
    throw fail(
      `is GGUF version ${version}; Editscope reads versions 2 and 3 (convert older files with llama.cpp).`,
    );
  }
  const tensorCount = c.u64('the tensor count');
  const kvCount = c.u64('the metadata count');
  if (kvCount * MIN_KV_BYTES > c.left) {
    throw fail(`declares ${kvCount} metadata entries, more than the ${c.left} bytes of the file can hold.`);
  }
  const metadata = new Map<string, GgufKv>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key ${i}`, MAX_KEY_BYTES);
    if (metadata.has(key)) throw fail(`has the metadata key ${JSON.stringify(key)} twice.`);
    const type = c.u32(`the value type of ${key}`);
    metadata.set(key, readValue(c, type, `metadata ${JSON.stringify(key)}`, fail));
  }
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const a = metadata.get(GGUF_ALIGNMENT_KEY);
  if (a) {
    const v = a.value;
    if (
      a.type !== ValueType.UINT32 ||
      typeof v !== 'number' ||
      v === 0 ||
      (v & (v - 1)) !== 0 ||
      v > 1 << 20
    ) {
      throw fail(`has ${GGUF_ALIGNMENT_KEY} = ${String(v)}; it must be a u32 power of two (usually 32).`);
    }
    alignment = v;
  }
  if (tensorCount * MIN_TENSOR_INFO_BYTES > c.left) {
    throw fail(`declares ${tensorCount} tensors, more than the ${c.left} bytes left in the file can hold.`);
  }
  const raw: {
    name: string;
    dims: number[];
    type: number;
    offset: number;
    elements: number;
    bytes: number;
  }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`the name of tensor ${i}`, MAX_NAME_BYTES);
    const t = (problem: string) => fail(`tensor ${JSON.stringify(name)} ${problem}`);
    if (names.has(name)) throw fail(`has two tensors named ${JSON.stringify(name)}.`);
    names.add(name);
    const nDims = c.u32(`the n_dims of ${name}`);
    if (nDims < 1 || nDims > MAX_DIMS)
      throw t(`has ${nDims} dimensions; ggml tensors have 1 to ${MAX_DIMS}.`);
    const dims: number[] = [];
    let elements = 1;
    for (let d = 0; d < nDims; d++) {
      const n = c.u64(`a dimension of ${name}`);
      if (!Number.isFinite(n) || n < 1) throw t(`has dimension ${d} of size ${n}; sizes must be at least 1.`);
      elements *= n;
      if (!Number.isSafeInteger(elements))
        throw t(`has dims [${[...dims, n].join(', ')}...] whose element count overflows.`);
      dims.push(n);
    }
    const type = c.u32(`the type of ${name}`);
    const info = GGML_TYPES[type];
    if (!info) throw t(`has ggml type id ${type}, which Editscope does not know.`);
    if (dims[0] % info.blockSize !== 0) {
      throw t(
        `has ${dims[0]} elements per row, not a multiple of the ${info.blockSize}-element blocks of ${info.name}.`,
      );
    }
    const byteCount = (elements / info.blockSize) * info.blockBytes;
    if (byteCount > fileSize)
      throw t(`needs ${byteCount} bytes of ${info.name} data, more than the whole file (${fileSize}).`);
    const offset = c.u64(`the data offset of ${name}`);
    if (offset % alignment !== 0)
      throw t(`has data offset ${offset}, not a multiple of the alignment ${alignment}.`);
    raw.push({ name, dims, type, offset, elements, bytes: byteCount });
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  if (dataOffset > fileSize && raw.length > 0)
    throw fail('ends before its tensor data section starts: truncated download?');
  const dataLength = fileSize - dataOffset;
  const tensors: GgufTensorInfo[] = raw.map((r) => {
    if (r.offset + r.bytes > dataLength) {
      throw fail(
        `tensor ${JSON.stringify(r.name)} runs out of range: its bytes [${r.offset}, ${r.offset + r.bytes}) end past the ${dataLength} data bytes of the file (truncated download?).`,
      );
    }
    return {
      name: r.name,
      dims: r.dims,
      type: r.type,
      typeName: ggmlTypeName(r.type),
      elements: r.elements,
      byteLength: r.bytes,
      byteOffset: dataOffset + r.offset,
    };
  });
  // Two tensors must never share bytes: a hostile file could otherwise alias weights.
  const sorted = [...tensors].sort((x, y) => x.byteOffset - y.byteOffset || x.byteLength - y.byteLength);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].byteOffset < prev.byteOffset + prev.byteLength) {
      throw fail(
        `has overlapping tensors: ${JSON.stringify(prev.name)} and ${JSON.stringify(sorted[i].name)} share bytes.`,
      );
    }
  }
  return { fileName, version, metadata, tensors, alignment, dataOffset, fileSize };
}

/** Random access to a file's bytes: a buffer in memory, a browser File/Blob, or a Node file handle. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (o, n) => bytes.subarray(o, o + n) };
}

export function blobSource(blob: Blob): ByteSource {
  return { size: blob.size, read: async (o, n) => new Uint8Array(await blob.slice(o, o + n).arrayBuffer()) };
}

/** A header larger than this is refused (Qwen3's 151k-token vocabulary takes about 5 MB). */
export const MAX_HEADER_BYTES = 512 * 2 ** 20;

/** Reads just enough of the file to parse its header: 4 MiB first, doubling while the header runs on. */
export async function readGgufHeader(source: ByteSource, fileName: string): Promise<GgufFile> {
  let length = Math.min(source.size, 4 * 2 ** 20);
  for (;;) {
    const prefix = await source.read(0, length);
    try {
      return parseGgufHeader(prefix, fileName, source.size);
    } catch (e) {
      if (!(e instanceof HeaderIncomplete)) throw e;
      if (length >= MAX_HEADER_BYTES) {
        throw new GgufError(
          fileName,
          `has a header larger than ${MAX_HEADER_BYTES} bytes, which Editscope refuses.`,
        );
      }
      length = Math.min(source.size, Math.max(length * 2, e.needed), MAX_HEADER_BYTES);
    }
  }
}

/** Typed accessors for metadata, each failing with a sentence naming the key. */
export function metaNumber(file: GgufFile, key: string): number | undefined {
  const kv = file.metadata.get(key);
  if (!kv) return undefined;
  if (typeof kv.value !== 'number' || !Number.isFinite(kv.value)) {
    throw new GgufError(
      file.fileName,
      `has metadata ${key} = ${String(kv.value)}, which is not a finite number.`,
    );
  }
  return kv.value;
}

export function metaString(file: GgufFile, key: string): string | undefined {
  const kv = file.metadata.get(key);
  if (!kv) return undefined;
  if (typeof kv.value !== 'string')
    throw new GgufError(file.fileName, `has metadata ${key} that is not a string.`);
  return kv.value;
}

export function metaStrings(file: GgufFile, key: string): string[] | undefined {
  const kv = file.metadata.get(key);
  if (!kv) return undefined;
  if (kv.itemType !== ValueType.STRING || !Array.isArray(kv.value)) {
    throw new GgufError(file.fileName, `has metadata ${key} that is not an array of strings.`);
  }
  return kv.value as string[];
}
