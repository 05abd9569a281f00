import { describe, expect, it } from 'vitest';
import { SafetensorsError } from './errors.ts';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from './safetensors.ts';

const NAME = 'weights/model.safetensors';

/** A safetensors file assembled by hand from the spec: u64 LE header length, header text, data bytes. */
function rawFile(header: string | object, data: number[] = [], declaredLength?: number): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setUint32(0, declaredLength ?? text.length, true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** Little-endian bytes of float32 values. */
function f32Bytes(values: number[]): number[] {
  return [...new Uint8Array(new Float32Array(values).buffer)];
}

function expectProblem(bytes: Uint8Array, pattern: RegExp): void {
  let error: unknown;
  try {
    parseSafetensors(bytes, NAME);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SafetensorsError);
  const e = error as SafetensorsError;
  expect(e.file).toBe(NAME);
  expect(e.message.startsWith(`${NAME}: `)).toBe(true);
  expect(e.problem).toMatch(pattern);
}

describe('parseSafetensors', () => {
  it('reads F32, F16 and BF16 tensors from a hand-assembled file', () => {
    // F16 1, -2 = 0x3c00, 0xc000; BF16 1, -3 = 0x3f80, 0xc040 (little-endian byte order below).
    const data = [...f32Bytes([0.5, -1.25, 3, 1e-3]), 0x00, 0x3c, 0x00, 0xc0, 0x80, 0x3f, 0x40, 0xc0];
    const file = parseSafetensors(
      rawFile(
        {
          __metadata__: { format: 'pt' },
          b: { dtype: 'F16', shape: [2], data_offsets: [16, 20] },
          a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
          c: { dtype: 'BF16', shape: [2, 1], data_offsets: [20, 24] },
        },
        data,
      ),
      NAME,
    );
    expect(file.metadata).toEqual({ format: 'pt' });
    expect([...file.tensors.keys()]).toEqual(['a', 'b', 'c']); // file order
    expect(file.tensors.get('a')!.shape).toEqual([2, 2]);
    expect([...tensorToFloat32(file, 'a')]).toEqual([...new Float32Array([0.5, -1.25, 3, 1e-3])]);
    expect([...tensorToFloat32(file, 'b')]).toEqual([1, -2]);
    expect([...tensorToFloat32(file, 'c')]).toEqual([1, -3]);
  });

  it('reads a tensor at an offset that is not a multiple of 4', () => {
    const data = [0xaa, 0xbb, ...f32Bytes([7.5])];
    const file = parseSafetensors(
      rawFile(
        {
          pad: { dtype: 'U8', shape: [2], data_offsets: [0, 2] },
          x: { dtype: 'F32', shape: [1], data_offsets: [2, 6] },
        },
        data,
      ),
      NAME,
    );
    expect([...tensorToFloat32(file, 'x')]).toEqual([7.5]);
    expect(() => tensorToFloat32(file, 'pad')).toThrow(/dtype U8; only F32, F16, BF16/);
  });

  it('refuses a file too short for the length prefix', () => expectProblem(new Uint8Array(5), /too short/));
  it('refuses a header length that runs past the file', () =>
    expectProblem(
      rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0], 10_000),
      /10000-byte header.*truncated/,
    ));
  it('refuses a header whose JSON is broken', () =>
    expectProblem(rawFile('{"a": {"dtype": "F32", '), /not valid UTF-8 JSON/));
  it('refuses a header that is not an object', () => expectProblem(rawFile('[1, 2]'), /not a JSON object/));
  it('refuses overlapping tensors', () =>
    expectProblem(
      rawFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        f32Bytes([1, 2, 3]),
      ),
      /overlapping tensors: "a" and "b"/,
    ));
  it('refuses offsets that run out of range', () =>
    expectProblem(
      rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32Bytes([1, 2])),
      /"a" runs out of range.*8 data bytes/,
    ));
  it('refuses offsets that are reversed or not integers', () => {
    expectProblem(
      rawFile({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32Bytes([1])),
      /invalid data_offsets/,
    );
    expectProblem(
      rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0.5, 4.5] } }, f32Bytes([1, 2])),
      /invalid data_offsets/,
    );
  });
  it('refuses a shape that disagrees with the byte size', () =>
    expectProblem(
      rawFile({ a: { dtype: 'F16', shape: [3], data_offsets: [0, 8] } }, f32Bytes([1, 2])),
      /shape \[3\] of F16, which needs 6 bytes, but its offsets span 8/,
    ));
  it('refuses an invalid shape', () =>
    expectProblem(
      rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32Bytes([1])),
      /invalid shape \[-1\]/,
    ));
  it('refuses an unknown dtype', () =>
    expectProblem(
      rawFile({ a: { dtype: 'F17', shape: [1], data_offsets: [0, 4] } }, f32Bytes([1])),
      /unknown dtype "F17"/,
    ));
});

describe('serializeSafetensors', () => {
  const tensors = [
    { name: 'w', shape: [2, 3], data: new Float32Array([1, 2, 3, -4, 0.1, 1e-8]) },
    { name: 'b', shape: [3], data: new Float32Array([0.5, 65504, 7]) },
  ];

  it('writes the layout of the spec: u64 length, 8-aligned space-padded header, contiguous offsets', () => {
    const bytes = serializeSafetensors(tensors, 'F32');
    const view = new DataView(bytes.buffer);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { format: 'pt' },
      w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      b: { dtype: 'F32', shape: [3], data_offsets: [24, 36] },
    });
    expect(bytes.length).toBe(8 + n + 36);
    expect(new Float32Array(bytes.slice(8 + n + 24).buffer)).toEqual(tensors[1].data);
  });

  it('round-trips F32 exactly and F16 within half a binary16 ulp', () => {
    const f32 = parseSafetensors(serializeSafetensors(tensors, 'F32'), NAME);
    for (const t of tensors) expect(tensorToFloat32(f32, t.name)).toEqual(t.data);
    const f16 = parseSafetensors(serializeSafetensors(tensors, 'F16'), NAME);
    expect(f16.tensors.get('w')!.dtype).toBe('F16');
    for (const t of tensors) {
      const back = tensorToFloat32(f16, t.name);
      t.data.forEach((x, i) => {
        // Relative error of binary16 rounding is at most 2^-11 for normals; absolute 2^-25 below 2^-14.
        expect(Math.abs(back[i] - x)).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 2 ** -25));
      });
    }
  });

  it('refuses data whose length does not match the shape', () => {
    expect(() => serializeSafetensors([{ name: 'x', shape: [2, 2], data: new Float32Array(3) }])).toThrow(
      /holds 4 values, data has 3/,
    );
  });
});

describe('tensors read from a Node Buffer', () => {
  it('copies only the tensor bytes, not the Buffer pool behind them', () => {
    const bytes = serializeSafetensors([
      { name: 'a', shape: [2], data: new Float32Array([1, 2]) },
      { name: 'b', shape: [3], data: new Float32Array([3, 4, 5]) },
    ]);
    const pooled = Buffer.from(bytes); // small Buffers share one pool: .buffer is larger than the file
    const file = parseSafetensors(pooled, 'pooled.safetensors');
    expect(Array.from(tensorToFloat32(file, 'b'))).toEqual([3, 4, 5]);
  });
});
