// Hostile GGUF files (llama.cpp's GGUF CVEs: oversized counts, string lengths past the end, tensor offsets out of
// bounds, n_dims above 4, overflowing element counts, bad alignment, duplicate names). Every mutated file must end
// in a ModelFileError naming the file, or in a complete, consistent model: never another exception, a hang, a read
// larger than the file, or a partly read model.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelFileError } from '../errors.ts';
import { GgmlType } from './format.ts';
import { openGguf } from './load.ts';
import { bytesSource, parseGgufHeader, type ByteSource } from './reader.ts';
import { meta, writeGguf } from './writer.testing.ts';

const NAME = 'hostile.gguf';

function validFile(): Uint8Array {
  const hidden = 32;
  return writeGguf(
    [
      ['general.architecture', meta.str('qwen3')],
      ['qwen3.embedding_length', meta.u32(hidden)],
      ['qwen3.block_count', meta.u32(1)],
      ['qwen3.feed_forward_length', meta.u32(64)],
      ['qwen3.attention.head_count', meta.u32(2)],
      ['general.alignment', meta.u32(32)],
      ['tokenizer.ggml.model', meta.str('gpt2')],
      ['tokenizer.ggml.tokens', meta.strs(['a', 'b', 'ab', '<|endoftext|>'])],
      ['tokenizer.ggml.token_type', meta.i32s([1, 1, 1, 3])],
      ['tokenizer.ggml.merges', meta.strs(['a b'])],
    ],
    [
      {
        name: 'token_embd.weight',
        dims: [hidden, 4],
        type: GgmlType.Q8_0,
        data: new Float32Array(4 * hidden).fill(0.5),
      },
      {
        name: 'blk.0.attn_norm.weight',
        dims: [hidden],
        type: GgmlType.F32,
        data: new Float32Array(hidden).fill(1),
      },
      {
        name: 'blk.0.ffn_up.weight',
        dims: [256, 1],
        type: GgmlType.Q4_K,
        data: new Float32Array(256).fill(0.25),
      },
    ],
  );
}

const BASE = validFile();
const HEADER_END = parseGgufHeader(BASE, NAME).dataOffset;

/** Records every read so the test can check none is larger than the file. */
function watchedSource(bytes: Uint8Array): ByteSource & { largest: number } {
  const src = bytesSource(bytes);
  const w = {
    size: src.size,
    largest: 0,
    read: (o: number, n: number) => {
      w.largest = Math.max(w.largest, n);
      return src.read(o, n);
    },
  };
  return w;
}

/** Opens `bytes` and decodes every tensor; returns the error, or null when the file was accepted whole. */
async function load(bytes: Uint8Array): Promise<unknown> {
  const src = watchedSource(bytes);
  try {
    const m = await openGguf(src, NAME);
    let n = 0;
    for await (const t of m.tensors()) {
      expect(t.data.length).toBe(m.shapes.get(t.name)!.reduce((a, b) => a * b, 1));
      n++;
    }
    expect(n).toBe(m.file.tensors.length);
    return null;
  } catch (e) {
    return e;
  } finally {
    expect(src.largest).toBeLessThanOrEqual(bytes.length);
  }
}

function expectNamedError(e: unknown, pattern?: RegExp): void {
  if (!(e instanceof ModelFileError))
    throw new Error(`expected a ModelFileError, got ${String(e)}`, { cause: e });
  expect(e.message.startsWith(`${NAME}: `)).toBe(true);
  expect(e.problem.length).toBeGreaterThan(10);
  if (pattern) expect(e.message).toMatch(pattern);
}

const HOSTILE_U64 = [0, 1, 4, 5, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, BASE.length, BASE.length + 1, -1];
const HOSTILE_U32 = [0, 1, 3, 5, 7, 13, 31, 33, 2 ** 31, 2 ** 32 - 1];

function setU64(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer).setBigInt64(at, BigInt(v), true);
}

const mutation = fc.oneof(
  // A hostile 64-bit count, length, dimension or offset anywhere in the header.
  fc.record({
    kind: fc.constant('u64' as const),
    at: fc.integer({ min: 0, max: HEADER_END - 8 }),
    v: fc.constantFrom(...HOSTILE_U64),
  }),
  // A hostile 32-bit value type, n_dims, ggml type or alignment.
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.integer({ min: 0, max: HEADER_END - 4 }),
    v: fc.constantFrom(...HOSTILE_U32),
  }),
  // Random bytes.
  fc.record({
    kind: fc.constant('bytes' as const),
    at: fc.integer({ min: 0, max: HEADER_END - 1 }),
    v: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  // Truncation.
  fc.record({
    kind: fc.constant('cut' as const),
    at: fc.integer({ min: 0, max: BASE.length - 1 }),
    v: fc.constant(0),
  }),
);

describe('GGUF reader against hostile files', () => {
  it('the unmutated file loads whole', async () => {
    expect(await load(BASE)).toBeNull();
  });

  it('1,200 mutated headers end in a named ModelFileError or a whole model', async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (muts) => {
        let bytes = Uint8Array.from(BASE);
        for (const m of muts) {
          if (m.kind !== 'cut' && m.at + 8 > bytes.length) continue; // an earlier cut removed the spot
          if (m.kind === 'u64') setU64(bytes, m.at, m.v);
          else if (m.kind === 'u32') new DataView(bytes.buffer).setUint32(m.at, m.v >>> 0, true);
          else if (m.kind === 'bytes') bytes.set(m.v.subarray(0, bytes.length - m.at), m.at);
          else bytes = bytes.slice(0, m.at);
        }
        const e = await load(bytes);
        if (e !== null) {
          expectNamedError(e);
          refused++;
        }
      }),
      { numRuns: 1200, seed: 20261201 },
    );
    expect(refused).toBeGreaterThan(600);
  });

  const bad = (edit: (b: Uint8Array) => void): Uint8Array => {
    const b = Uint8Array.from(BASE);
    edit(b);
    return b;
  };
  const find = (s: string, from = 0) => {
    const needle = new TextEncoder().encode(s);
    outer: for (let i = from; i < BASE.length; i++) {
      for (let j = 0; j < needle.length; j++) if (BASE[i + j] !== needle[j]) continue outer;
      return i;
    }
    throw new Error(`${s} not in the file`);
  };
  // Field positions from the layout: a string is a u64 length then its bytes.
  const embd = find('token_embd.weight');
  const embdDims = embd + 'token_embd.weight'.length; // n_dims (u32), then dims (u64 each)

  it.each<[string, () => Uint8Array, RegExp]>([
    ['an oversized tensor count', () => bad((b) => setU64(b, 8, 2 ** 40)), /declares 1099511627776 tensors/],
    ['an oversized metadata count', () => bad((b) => setU64(b, 16, 2 ** 53)), /metadata entries, more than/],
    [
      'a string length past the end',
      () => bad((b) => setU64(b, find('general.architecture') - 8, 2 ** 33)),
      /past the end of the file/,
    ],
    [
      'an array count past the end',
      () => bad((b) => setU64(b, find('tokenizer.ggml.tokens') + 21 + 8, 2 ** 50)),
      /elements, more than the/,
    ],
    [
      'n_dims above 4',
      () => bad((b) => new DataView(b.buffer).setUint32(embdDims, 5, true)),
      /has 5 dimensions/,
    ],
    [
      'an overflowing element count',
      () =>
        bad((b) => {
          setU64(b, embdDims + 4, 2 ** 30);
          setU64(b, embdDims + 12, 2 ** 30);
        }),
      /(overflows|more than the whole file)/,
    ],
    [
      'a tensor offset out of bounds',
      () => bad((b) => setU64(b, embdDims + 4 + 16 + 4, 2 ** 20)),
      /runs out of range/,
    ],
    [
      'an unaligned tensor offset',
      () => bad((b) => setU64(b, embdDims + 4 + 16 + 4, 8)),
      /not a multiple of the alignment/,
    ],
    [
      'a bad alignment',
      () => bad((b) => new DataView(b.buffer).setUint32(find('general.alignment') + 17 + 4, 24, true)),
      /power of two/,
    ],
    [
      'a duplicate tensor name',
      () =>
        writeGguf(
          [],
          [
            { name: 'x.weight', dims: [32], type: GgmlType.F32, data: new Float32Array(32) },
            { name: 'x.weight', dims: [32], type: GgmlType.F32, data: new Float32Array(32) },
          ],
        ),
      /two tensors named "x.weight"/,
    ],
    [
      'a duplicate metadata key',
      () =>
        writeGguf(
          [
            ['general.architecture', meta.str('qwen3')],
            ['general.architecture', meta.str('llama')],
          ],
          [],
        ),
      /metadata key "general.architecture" twice/,
    ],
    ['a file cut inside the tensor data', () => BASE.slice(0, BASE.length - 40), /runs out of range/],
    ['no magic', () => bad((b) => b.set([0x47, 0x47, 0x4d, 0x4c])), /not a GGUF file/],
  ])('refuses %s with a sentence', async (_what, make, pattern) => {
    expectNamedError(await load(make()), pattern);
  });
});
