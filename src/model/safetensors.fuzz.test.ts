// Hostile safetensors files: mutated header lengths, JSON headers with hostile fields (dtypes, shapes whose element
// count overflows, offsets past the end or reversed, overlapping tensors, non-objects) and random bytes. Every
// file must end in a SafetensorsError naming the file, or parse into tensors that all lie inside the file and
// convert to the right number of floats: never another exception, a hang, or an allocation beyond the file.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelFileError } from './errors.ts';
import { FLOAT_DTYPES, parseSafetensors, serializeSafetensors, tensorToFloat32 } from './safetensors.ts';

const NAME = 'hostile.safetensors';

const BASE = serializeSafetensors([
  { name: 'a', shape: [3, 4], data: new Float32Array(12).fill(1) },
  { name: 'b', shape: [5], data: new Float32Array(5).fill(2) },
]);
const HEADER_LENGTH = new DataView(BASE.buffer).getUint32(0, true);
const HEADER = JSON.parse(new TextDecoder().decode(BASE.subarray(8, 8 + HEADER_LENGTH))) as Record<
  string,
  unknown
>;
const DATA = BASE.subarray(8 + HEADER_LENGTH);

function withHeader(header: unknown, data = DATA, lengthOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(lengthOverride ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function check(bytes: Uint8Array): 'accepted' | 'refused' {
  let file;
  try {
    file = parseSafetensors(bytes, NAME);
  } catch (e) {
    if (!(e instanceof ModelFileError))
      throw new Error(`expected a ModelFileError, got ${String(e)}`, { cause: e });
    expect(e.message.startsWith(`${NAME}: `)).toBe(true);
    return 'refused';
  }
  for (const [name, t] of file.tensors) {
    expect(t.byteOffset + t.byteLength).toBeLessThanOrEqual(bytes.length);
    if (!FLOAT_DTYPES.includes(t.dtype)) continue;
    const v = tensorToFloat32(file, name);
    expect(v.length).toBe(t.shape.reduce((a, b) => a * b, 1));
  }
  return 'accepted';
}

const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 0, 1, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64, 1e308, 0.5, NaN, Infinity),
  fc.integer({ min: 0, max: 200 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileNumber,
  fc.string({ maxLength: 6 }),
  fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'F8_E4M3', 'BOOL', 'Q4_0', '__proto__'),
  fc.array(hostileNumber, { maxLength: 6 }),
  fc.constant(null),
  fc.dictionary(fc.constantFrom('dtype', 'shape', 'x'), hostileNumber, { maxKeys: 2 }),
);

const headerMutation = fc.record({
  tensor: fc.constantFrom('a', 'b', '__metadata__', 'c', '__proto__'),
  field: fc.constantFrom('dtype', 'shape', 'data_offsets', 'whole', 'format'),
  value: hostileValue,
});

describe('safetensors reader against hostile files', () => {
  it('the unmutated file parses', () => {
    expect(check(BASE)).toBe('accepted');
  });

  it('1,000 headers with hostile fields end in a named SafetensorsError or a consistent file', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.array(headerMutation, { minLength: 1, maxLength: 3 }), (muts) => {
        const header = structuredClone(HEADER) as Record<string, Record<string, unknown> | unknown>;
        for (const m of muts) {
          if (m.field === 'whole') header[m.tensor] = m.value;
          else {
            const entry = header[m.tensor];
            const obj =
              typeof entry === 'object' && entry !== null ? { ...(entry as Record<string, unknown>) } : {};
            obj[m.field] = m.value;
            header[m.tensor] = obj;
          }
        }
        if (check(withHeader(header)) === 'refused') refused++;
      }),
      { numRuns: 1000, seed: 20261201 },
    );
    expect(refused).toBeGreaterThan(700);
  });

  it('1,000 files with hostile header lengths, random bytes or truncation end in a named error or a consistent file', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            kind: fc.constant('length' as const),
            v: fc.constantFrom(0, 1, 7, HEADER_LENGTH - 1, HEADER_LENGTH + 1, 2 ** 32, 2 ** 53, 2 ** 63),
          }),
          fc.record({
            kind: fc.constant('bytes' as const),
            at: fc.nat({ max: BASE.length - 1 }),
            v: fc.uint8Array({ minLength: 1, maxLength: 6 }),
          }),
          fc.record({ kind: fc.constant('cut' as const), at: fc.nat({ max: BASE.length - 1 }) }),
        ),
        (m) => {
          let bytes = Uint8Array.from(BASE);
          if (m.kind === 'length') new DataView(bytes.buffer).setBigUint64(0, BigInt(m.v), true);
          else if (m.kind === 'bytes') bytes.set(m.v.subarray(0, bytes.length - m.at), m.at);
          else bytes = bytes.slice(0, m.at);
          check(bytes);
        },
      ),
      { numRuns: 1000, seed: 7 },
    );
  });

  it.each<[string, unknown, RegExp]>([
    [
      'an element count that overflows',
      { a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 48] } },
      /needs .* bytes/,
    ],
    [
      'offsets past the end',
      { a: { dtype: 'F32', shape: [3, 4], data_offsets: [0, 2 ** 40] } },
      /runs out of range/,
    ],
    ['reversed offsets', { a: { dtype: 'F32', shape: [0], data_offsets: [48, 0] } }, /invalid data_offsets/],
    [
      'overlapping tensors',
      {
        a: { dtype: 'F32', shape: [3, 4], data_offsets: [0, 48] },
        b: { dtype: 'F32', shape: [5], data_offsets: [40, 60] },
      },
      /overlapping/,
    ],
    ['an unknown dtype', { a: { dtype: 'Q4_K', shape: [3, 4], data_offsets: [0, 48] } }, /unknown dtype/],
  ])('refuses %s with a sentence', (_what, header, pattern) => {
    expect(() => parseSafetensors(withHeader(header), NAME)).toThrow(pattern);
  });
});
