// Test and tool code only: a small GGUF (version 3) writer, to build files for the reader's tests, the fuzz tests,
// the benchmarks and the e2e spec. It writes what reader.ts parses, by the spec (ggml docs/gguf.md), not by
// reusing the reader.

import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, ValueType } from './format.ts';
import { encodeGgml } from './quantize.testing.ts';

export type MetaValue =
  | { type: 'u32' | 'i32' | 'f32' | 'u64' | 'u8' | 'bool'; value: number | boolean }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: string[] }
  | { type: 'i32s' | 'f32s'; value: number[] }
  /** Any value, already encoded (for the reader's tests of every value type). */
  | { type: 'raw'; valueType: number; value: Uint8Array };

export const meta = {
  u32: (value: number): MetaValue => ({ type: 'u32', value }),
  i32: (value: number): MetaValue => ({ type: 'i32', value }),
  f32: (value: number): MetaValue => ({ type: 'f32', value }),
  u64: (value: number): MetaValue => ({ type: 'u64', value }),
  bool: (value: boolean): MetaValue => ({ type: 'bool', value }),
  str: (value: string): MetaValue => ({ type: 'string', value }),
  strs: (value: string[]): MetaValue => ({ type: 'strings', value }),
  i32s: (value: number[]): MetaValue => ({ type: 'i32s', value }),
  f32s: (value: number[]): MetaValue => ({ type: 'f32s', value }),
};

export interface TensorToWrite {
  name: string;
  /** ggml order (dims[0] fastest): a PyTorch (out, in) weight is [in, out]. */
  dims: number[];
  type: number;
  /** Values in ggml order, encoded to `type` by the test quantizers; or `bytes` given as is. */
  data?: Float32Array;
  bytes?: Uint8Array;
}

/** A growable little-endian byte buffer (one allocation per doubling, not per field: headers have 150k strings). */
class Out {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private reserve(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  push(b: Uint8Array): void {
    const at = this.reserve(b.length); // before reading this.buf: reserve may replace it
    this.buf.set(b, at);
  }
  u32(v: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, v, true);
  }
  u64(v: number): void {
    const at = this.reserve(8);
    this.view.setUint32(at, v % 2 ** 32, true);
    this.view.setUint32(at + 4, Math.floor(v / 2 ** 32), true);
  }
  str(s: string): void {
    const b = encoder.encode(s);
    this.u64(b.length);
    this.push(b);
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const encoder = new TextEncoder();

function writeValue(o: Out, v: MetaValue): void {
  const scalar = (t: number, n: number, set: (d: DataView) => void) => {
    o.u32(t);
    const b = new Uint8Array(n);
    set(new DataView(b.buffer));
    o.push(b);
  };
  switch (v.type) {
    case 'raw':
      o.u32(v.valueType);
      return o.push(v.value);
    case 'u8':
      return scalar(ValueType.UINT8, 1, (d) => d.setUint8(0, Number(v.value)));
    case 'bool':
      return scalar(ValueType.BOOL, 1, (d) => d.setUint8(0, v.value ? 1 : 0));
    case 'u32':
      return scalar(ValueType.UINT32, 4, (d) => d.setUint32(0, Number(v.value), true));
    case 'i32':
      return scalar(ValueType.INT32, 4, (d) => d.setInt32(0, Number(v.value), true));
    case 'f32':
      return scalar(ValueType.FLOAT32, 4, (d) => d.setFloat32(0, Number(v.value), true));
    case 'u64':
      return scalar(ValueType.UINT64, 8, (d) => d.setBigUint64(0, BigInt(Number(v.value)), true));
    case 'string':
      o.u32(ValueType.STRING);
      return o.str(v.value);
    case 'strings':
      o.u32(ValueType.ARRAY);
      o.u32(ValueType.STRING);
      o.u64(v.value.length);
      for (const s of v.value) o.str(s);
      return;
    case 'i32s':
    case 'f32s': {
      o.u32(ValueType.ARRAY);
      o.u32(v.type === 'i32s' ? ValueType.INT32 : ValueType.FLOAT32);
      o.u64(v.value.length);
      const arr = v.type === 'i32s' ? Int32Array.from(v.value) : Float32Array.from(v.value);
      o.push(new Uint8Array(arr.buffer));
    }
  }
}

/** A GGUF v3 file with `metadata` (in order) and `tensors`, data aligned to `alignment`. */
export function writeGguf(
  metadata: [string, MetaValue][],
  tensors: TensorToWrite[],
  alignment = GGUF_DEFAULT_ALIGNMENT,
): Uint8Array {
  const o = new Out();
  o.u32(GGUF_MAGIC);
  o.u32(3);
  o.u64(tensors.length);
  o.u64(metadata.length);
  for (const [key, value] of metadata) {
    o.str(key);
    writeValue(o, value);
  }
  const payloads = tensors.map((t) => t.bytes ?? encodeGgml(t.type, t.data ?? new Float32Array(0)));
  let offset = 0;
  const offsets = payloads.map((p) => {
    const at = offset;
    offset = Math.ceil((offset + p.length) / alignment) * alignment;
    return at;
  });
  tensors.forEach((t, i) => {
    o.str(t.name);
    o.u32(t.dims.length);
    for (const d of t.dims) o.u64(d);
    o.u32(t.type);
    o.u64(offsets[i]);
  });
  const pad = Math.ceil(o.length / alignment) * alignment - o.length;
  o.push(new Uint8Array(pad));
  const data = new Uint8Array(offset);
  payloads.forEach((p, i) => data.set(p, offsets[i]));
  o.push(data);
  return o.bytes();
}
