// GGUF Q8_0 / Q4_0 tensors repacked into the engine's q8_0 / q4_0 without decoding: the values are exactly what
// the decoder gives (same groups, scales and value sets), for Qwen3 and for Llama (whose q/k rows llama.cpp
// permutes), GPT-2's transposed linears fall back to decoding, and a non-finite block scale is refused by name.

import { describe, expect, it } from 'vitest';
import { unpackWeight } from '../../reference/quant.ts';
import { uniformArray } from '../../util/random.ts';
import { serializeLlamaConfig } from '../llama-config.ts';
import { tinyLlamaCheckpoint, tinyQwen3Config } from '../llama-testing.ts';
import { llamaDims, parameterShapes as llamaParameterShapes } from '../llama/dims.ts';
import { openGgufCheckpoint } from './checkpoint.ts';
import { dequantize } from './dequant.ts';
import { hfToGguf } from './export.testing.ts';
import { GgmlType } from './format.ts';
import { quantizeQ4_0, quantizeQ8_0 } from './quantize.testing.ts';
import { bytesSource, GgufError } from './reader.ts';
import { repackGgufBlocks } from './repack.ts';

describe('repackGgufBlocks', () => {
  for (const [name, type, quantize] of [
    ['Q8_0', GgmlType.Q8_0, quantizeQ8_0],
    ['Q4_0', GgmlType.Q4_0, quantizeQ4_0],
  ] as const) {
    it(`${name}: the repacked matrix decodes to the ggml decoder's values, rows reordered on request`, () => {
      const [rows, cols] = [5, 96];
      const bytes = quantize(uniformArray(rows * cols, 3));
      const want = dequantize(type, bytes, rows * cols, 't.gguf', 't');
      expect(Array.from(unpackWeight(repackGgufBlocks(type, bytes, rows, cols)))).toEqual(Array.from(want));
      const flipped = unpackWeight(repackGgufBlocks(type, bytes, rows, cols, (r) => rows - 1 - r));
      for (let r = 0; r < rows; r++)
        expect(Array.from(flipped.subarray(r * cols, (r + 1) * cols))).toEqual(
          Array.from(want.subarray((rows - 1 - r) * cols, (rows - r) * cols)),
        );
    });
  }

  it('refuses a block whose f16 scale is Inf or NaN', () => {
    const bytes = quantizeQ8_0(uniformArray(64, 1));
    bytes[34] = 0x00;
    bytes[35] = 0x7c; // block 1's scale: +Inf
    expect(() => repackGgufBlocks(GgmlType.Q8_0, bytes, 2, 32)).toThrow(/block 1 has a non-finite scale/);
  });
});

describe('GGUF checkpoints streamed in packed formats', () => {
  for (const arch of ['qwen3', 'llama'] as const) {
    it(`${arch}: every Q8_0 linear and the embedding arrive repacked, equal to the decoded (and unpermuted) tensor`, async () => {
      const config = tinyQwen3Config({
        nEmbd: 64,
        nInner: 96,
        vocabSize: 40,
        architecture: arch,
        qkNorm: arch === 'qwen3',
      });
      const ckpt = tinyLlamaCheckpoint(config, 5);
      const shapes = new Map(llamaParameterShapes(llamaDims(config)));
      const bytes = hfToGguf({
        config: JSON.parse(serializeLlamaConfig(config)) as Record<string, unknown>,
        tensors: new Map([...ckpt.weights].map(([n, data]) => [n, { shape: shapes.get(n)!, data }])),
        tokenizerJson: ckpt.tokenizer.json,
        type: () => GgmlType.Q8_0,
      });
      const open = await openGgufCheckpoint(bytesSource(bytes), 'tiny.gguf');
      let packed = 0;
      for await (const t of open.tensors(() => 'q8_0')) {
        const decoded = (await open.gguf.tensor(t.name)).data;
        if (t.data instanceof Float32Array) {
          expect(shapes.get(t.name)!.length, t.name).toBe(1); // only vectors (norms) are decoded
          continue;
        }
        packed++;
        expect(t.data.format).toBe('q8_0');
        expect(Array.from(unpackWeight(t.data)), t.name).toEqual(Array.from(decoded));
      }
      expect(packed).toBe(1 + 7 * config.nLayer);
      // Asking for f32 decodes everything.
      for await (const t of open.tensors(() => 'f32')) expect(t.data).toBeInstanceOf(Float32Array);
    });
  }

  it('a non-finite scale in a file is a GgufError naming the file and tensor', async () => {
    const config = tinyQwen3Config({ nEmbd: 64, nInner: 96, vocabSize: 40 });
    const ckpt = tinyLlamaCheckpoint(config, 5);
    const shapes = new Map(llamaParameterShapes(llamaDims(config)));
    const bytes = hfToGguf({
      config: JSON.parse(serializeLlamaConfig(config)) as Record<string, unknown>,
      tensors: new Map([...ckpt.weights].map(([n, data]) => [n, { shape: shapes.get(n)!, data }])),
      tokenizerJson: ckpt.tokenizer.json,
      type: () => GgmlType.Q8_0,
    });
    const open = await openGgufCheckpoint(bytesSource(bytes), 'bad.gguf');
    const info = open.gguf.tensorInfo.get('model.embed_tokens.weight')!;
    bytes[info.byteOffset + 1] = 0x7c; // the first block's scale: Inf or NaN
    bytes[info.byteOffset] = 0xff;
    const all = async () => {
      for await (const _ of open.tensors(() => 'q8_0')) void _;
    };
    await expect(all()).rejects.toThrow(GgufError);
    await expect(all()).rejects.toThrow(
      /bad\.gguf: tensor token_embd\.weight: block 0 has a non-finite scale/,
    );
  });
});
