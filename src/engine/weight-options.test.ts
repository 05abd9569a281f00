// The picker's GPU bytes per dtype are the loader's: weightOptions' weightBytes is planBytes of the plan the
// loader allocates, and chooseDtype (fed the plan's tensors) counts the very same bytes plus its activation
// allowance; the stored precision caps the default; a model too large for one buffer refuses f32 with a reason.

import { describe, expect, it } from 'vitest';
import { GPT2_PRESETS, type ModelConfig } from '../model/config.ts';
import { weightPlan } from '../model/factory.ts';
import { QWEN3_1_7B, tinyQwen3Config } from '../model/llama-testing.ts';
import { ACTIVATION_ALLOWANCE } from '../model/quant/choose.ts';
import { planBytes } from '../model/quant/load.ts';
import { storedBits, weightOptions } from './weight-options.ts';

const GPT2: ModelConfig = { architecture: 'gpt2', ...GPT2_PRESETS.gpt2 };
const QWEN: ModelConfig = { ...tinyQwen3Config(), ...QWEN3_1_7B, nPositions: 4096 };
const SWIFTSHADER = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 };
const SMALL_BINDING = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 2 ** 31 };

describe('weightOptions', () => {
  it('reports the weight plan’s exact bytes for every dtype, as chooseDtype counts them', () => {
    for (const config of [GPT2, QWEN, { ...tinyQwen3Config() }]) {
      const c = weightOptions(config, SWIFTSHADER);
      expect(c.options.map((o) => o.dtype)).toEqual(['f32', 'f16', 'int8', 'int4']);
      for (const o of c.options) {
        expect(o.weightBytes, `${config.architecture} ${o.dtype}`).toBe(
          planBytes(weightPlan(config, o.dtype)),
        );
        expect(o.gpuBytes - ACTIVATION_ALLOWANCE).toBe(o.weightBytes);
      }
      const bytes = c.options.map((o) => o.weightBytes);
      expect([...bytes].sort((a, b) => b - a)).toEqual(bytes); // f32 > f16 > int8 > int4
    }
  });

  it('defaults to the most precise dtype that fits and holds the file, and says why one is refused', () => {
    expect(weightOptions(GPT2, SWIFTSHADER).default).toBe('f32');
    expect(weightOptions(GPT2, SWIFTSHADER, 'F16').default).toBe('f16');
    expect(weightOptions(GPT2, SWIFTSHADER, 'GGUF Q8_0').default).toBe('int8');
    // GPT-2's 50,257 x 768 embedding is 147 MiB in f32: over a 128 MiB binding limit.
    const small = weightOptions(GPT2, SMALL_BINDING);
    const f32 = small.options.find((o) => o.dtype === 'f32')!;
    expect(f32.fits).toBe(false);
    expect(f32.reason).toMatch(/f32: .* needs 147 MiB in one buffer; this adapter binds at most 128 MiB/);
    expect(small.default).toBe('f16');
  });

  it('reads the stored precision of checkpoints and GGUF files', () => {
    expect([undefined, 'F32', 'mixed', 'F16', 'BF16'].map(storedBits)).toEqual([32, 32, 32, 16, 16]);
    expect(['GGUF F32', 'GGUF F16/Q8_0', 'GGUF Q8_0', 'GGUF Q4_K/Q6_K', 'GGUF Q4_0'].map(storedBits)).toEqual(
      [32, 16, 8.5, 4.5, 4.5],
    );
  });
});
