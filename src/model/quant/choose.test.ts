import { describe, expect, it } from 'vitest';
import { gpt2LinearSpecs, parameterShapes as gpt2Shapes } from '../gpt2/dims.ts';
import { GPT2_PRESETS } from '../config.ts';
import { QWEN3_1_7B, tinyQwen3Config } from '../llama-testing.ts';
import { llamaDims, llamaLinearSpecs, parameterShapes as llamaShapes } from '../llama/dims.ts';
import type { LinearSpec } from '../language-model.ts';
import { chooseDtype, type ModelTensors } from './choose.ts';

const EMBEDDINGS = new Set(['wte.weight', 'model.embed_tokens.weight', 'lm_head.weight']);

function tensors(linears: LinearSpec[], shapes: [string, number[]][]): ModelTensors {
  const lin = new Set(linears.map((l) => l.param));
  return {
    linears,
    others: shapes
      .filter(([n]) => !lin.has(n) && !EMBEDDINGS.has(n))
      .map(([name, s]) => ({ name, elements: s.reduce((a, b) => a * b, 1) })),
    embeddings: shapes
      .filter(([n]) => EMBEDDINGS.has(n))
      .map(([name, [rows, cols]]) => ({ name, rows, cols })),
  };
}

const qwen17 = llamaDims({ ...tinyQwen3Config(), ...QWEN3_1_7B, nPositions: 4096 });
const QWEN = tensors(llamaLinearSpecs(qwen17), llamaShapes(qwen17));
const GPT2 = tensors(gpt2LinearSpecs(GPT2_PRESETS.gpt2), gpt2Shapes(GPT2_PRESETS.gpt2));
const SWIFTSHADER = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 };
const LAVAPIPE = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 2 ** 31 };

describe('chooseDtype', () => {
  it('keeps a 124M GPT-2 in f32 when it fits', () => {
    const c = chooseDtype(GPT2, SWIFTSHADER);
    expect(c.default).toBe('f32');
    expect(c.options.every((o) => o.fits)).toBe(true);
  });

  it('picks int8 for Qwen3-1.7B on a 4 GiB laptop GPU: f32 refused with why, f16 fits but leaves under 20 % spare', () => {
    const laptop = { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 32, memoryBytes: 4 * 2 ** 30 };
    const c = chooseDtype(QWEN, laptop);
    const by = Object.fromEntries(c.options.map((o) => [o.dtype, o]));
    expect(by.f32.reason).toMatch(
      /^f32: the model needs about 6\.\d\d GiB of GPU memory; the budget is 4\.00 GiB\.$/,
    );
    expect(by.f16.fits).toBe(true);
    expect(by.f16.gpuBytes).toBeGreaterThan(0.8 * 4 * 2 ** 30);
    expect(by.int8.fits && by.int4.fits).toBe(true);
    expect(c.default).toBe('int8');
    expect(c.why).toMatch(/more precise choices leave less than 20 %/);
    expect(by.int4.gpuBytes).toBeLessThan(1.4e9);
  });

  it('refuses f32 Qwen3-1.7B on SwiftShader (the f32 embedding is over its 1 GiB binding limit), not the packed ones', () => {
    const c = chooseDtype(QWEN, SWIFTSHADER);
    const by = Object.fromEntries(c.options.map((o) => [o.dtype, o]));
    expect(by.f32.reason).toMatch(
      /model\.embed_tokens\.weight needs 1187 MiB in one buffer; this adapter binds at most 1024 MiB/,
    );
    expect(by.int8.fits && by.int4.fits).toBe(true);
    // int4: q4_0 linears + the q8_0 embedding + the activation allowance, under the 1.4 GB target.
    expect(by.int4.gpuBytes).toBeLessThan(1.4e9);
    expect(c.default).toBe('int8');
  });

  it('never defaults to a choice that cannot fit, and refuses everything when nothing fits', () => {
    for (const memoryBytes of [2 ** 30, 2 * 2 ** 30, 3 * 2 ** 30, 8 * 2 ** 30, 64 * 2 ** 30]) {
      const c = chooseDtype(QWEN, { ...LAVAPIPE, memoryBytes });
      if (c.default) expect(c.options.find((o) => o.dtype === c.default)!.fits).toBe(true);
      else expect(c.options.every((o) => !o.fits && o.reason)).toBe(true);
    }
    // lavapipe binds 128 MiB: even the q8_0 embedding (315 MiB) does not fit there, whatever the memory.
    expect(chooseDtype(QWEN, { ...LAVAPIPE, memoryBytes: 64 * 2 ** 30 }).default).toBeUndefined();
  });

  it('does not inflate a quantized file beyond its own precision', () => {
    const big = { ...SWIFTSHADER, memoryBytes: 64 * 2 ** 30 };
    expect(chooseDtype(GPT2, big, 8.5).default).toBe('int8');
    expect(chooseDtype(GPT2, big, 4.5).default).toBe('int4');
    expect(chooseDtype(GPT2, big, 16).default).toBe('f16');
  });
});
