import { describe, expect, it } from 'vitest';
import { GPT2_PRESETS, gpt2ParameterCount } from './config.ts';
import { WeightsError } from './errors.ts';
import { gpt2ParameterShapes, mapHfWeights } from './gpt2-layout.ts';
import { parseSafetensors, serializeSafetensors, type TensorToWrite } from './safetensors.ts';
import { randomGpt2Weights } from './testing.ts';

const tiny = GPT2_PRESETS.tiny;
const FILE = 'tiny/model.safetensors';

/** The tiny model's tensors as HF would store them, with `prefix` on every name. */
function hfTensors(prefix = ''): TensorToWrite[] {
  const weights = randomGpt2Weights(tiny, 3);
  return gpt2ParameterShapes(tiny).map(({ name, shape }) => ({
    name: prefix + name,
    shape,
    data: weights.get(name)!,
  }));
}

function load(tensors: TensorToWrite[], dtype: 'F32' | 'F16' = 'F32'): Map<string, Float32Array> {
  return mapHfWeights(parseSafetensors(serializeSafetensors(tensors, dtype), FILE), tiny);
}

function problemOf(tensors: TensorToWrite[]): string {
  try {
    load(tensors);
  } catch (e) {
    expect(e).toBeInstanceOf(WeightsError);
    expect((e as WeightsError).file).toBe(FILE);
    return (e as WeightsError).problem;
  }
  throw new Error('expected a WeightsError');
}

describe('gpt2ParameterShapes', () => {
  it('lists GPT2Model.named_parameters() in order, with Conv1D (in, out) shapes', () => {
    const shapes = gpt2ParameterShapes(GPT2_PRESETS.gpt2);
    expect(shapes.length).toBe(2 + 12 * 12 + 2); // 148 tensors in openai-community/gpt2
    expect(shapes.slice(0, 14)).toEqual([
      { name: 'wte.weight', shape: [50257, 768] },
      { name: 'wpe.weight', shape: [1024, 768] },
      { name: 'h.0.ln_1.weight', shape: [768] },
      { name: 'h.0.ln_1.bias', shape: [768] },
      { name: 'h.0.attn.c_attn.weight', shape: [768, 2304] },
      { name: 'h.0.attn.c_attn.bias', shape: [2304] },
      { name: 'h.0.attn.c_proj.weight', shape: [768, 768] },
      { name: 'h.0.attn.c_proj.bias', shape: [768] },
      { name: 'h.0.ln_2.weight', shape: [768] },
      { name: 'h.0.ln_2.bias', shape: [768] },
      { name: 'h.0.mlp.c_fc.weight', shape: [768, 3072] },
      { name: 'h.0.mlp.c_fc.bias', shape: [3072] },
      { name: 'h.0.mlp.c_proj.weight', shape: [3072, 768] },
      { name: 'h.0.mlp.c_proj.bias', shape: [768] },
    ]);
    expect(shapes.at(-1)).toEqual({ name: 'ln_f.bias', shape: [768] });
    const total = shapes.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    expect(total).toBe(gpt2ParameterCount(GPT2_PRESETS.gpt2));
  });
});

describe('mapHfWeights', () => {
  it('maps names with and without the transformer. prefix to the same Float32 values', () => {
    const tensors = hfTensors();
    const plain = load(tensors);
    const prefixed = load(hfTensors('transformer.'));
    expect([...plain.keys()]).toEqual(gpt2ParameterShapes(tiny).map((p) => p.name));
    for (const t of tensors) {
      expect(plain.get(t.name)).toEqual(t.data);
      expect(prefixed.get(t.name)).toEqual(t.data);
    }
  });

  it('ignores the causal-mask buffers and a tied lm_head.weight', () => {
    const extra: TensorToWrite[] = [
      { name: 'transformer.h.0.attn.bias', shape: [1, 1, 4, 4], data: new Float32Array(16).fill(1) },
      { name: 'h.1.attn.masked_bias', shape: [], data: new Float32Array([-1e4]) },
      { name: 'lm_head.weight', shape: [64, 16], data: new Float32Array(64 * 16) },
    ];
    expect(load([...hfTensors('transformer.'), ...extra]).size).toBe(gpt2ParameterShapes(tiny).length);
  });

  it('converts F16 checkpoints', () => {
    const tensors = hfTensors();
    const half = load(tensors, 'F16');
    const w = tensors[4].data; // h.0.attn.c_attn.weight
    const got = half.get('h.0.attn.c_attn.weight')!;
    w.forEach((x, i) =>
      expect(Math.abs(got[i] - x)).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 2 ** -25)),
    );
  });

  it('names a missing tensor', () => {
    expect(problemOf(hfTensors().filter((t) => t.name !== 'h.1.mlp.c_fc.bias'))).toBe(
      'is missing tensor h.1.mlp.c_fc.bias.',
    );
  });

  it('names a tensor of the wrong shape, and hints at an nn.Linear transpose', () => {
    const wrong = hfTensors().map((t) => (t.name === 'wpe.weight' ? { ...t, shape: [16, 32] } : t));
    expect(problemOf(wrong)).toMatch(
      /wpe.weight has shape \[16, 32\], expected \[32, 16\].*looks transposed/,
    );
    const short = hfTensors().map((t) =>
      t.name === 'ln_f.bias' ? { ...t, shape: [8], data: t.data.subarray(0, 8) } : t,
    );
    expect(problemOf(short)).toBe('tensor ln_f.bias has shape [8], expected [16] for this config.');
  });

  it('refuses layers beyond the config, duplicates, and non-float or non-finite tensors', () => {
    const h2 = { name: 'h.2.ln_1.weight', shape: [16], data: new Float32Array(16) };
    expect(problemOf([...hfTensors(), h2])).toMatch(
      /does not have: h.2.ln_1.weight. The weights and config.json do not belong together/,
    );
    const dup = { ...hfTensors()[0], name: 'transformer.wte.weight' };
    expect(problemOf([...hfTensors(), dup])).toMatch(/holds wte.weight twice/);
    const nan = hfTensors().map((t) =>
      t.name === 'h.0.ln_2.bias' ? { ...t, data: new Float32Array(16).fill(NaN) } : t,
    );
    expect(problemOf(nan)).toBe(
      'tensor h.0.ln_2.bias holds 16 NaN or infinite values; the checkpoint is damaged.',
    );
  });
});
