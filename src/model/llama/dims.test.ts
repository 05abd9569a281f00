import { describe, expect, it } from 'vitest';
import {
  inputParameters,
  llamaDims,
  llamaLinearSpecs,
  llamaShape,
  parameterCount,
  parameterShapes,
  type LlamaDims,
} from './dims.ts';

const QWEN3: LlamaDims = {
  architecture: 'qwen3',
  nLayer: 2,
  nEmbd: 12,
  nPositions: 32,
  vocabSize: 48,
  nHead: 4,
  nKvHead: 2,
  headDim: 8,
  nInner: 20,
  eps: 1e-6,
  ropeTheta: 1e6,
  tiedEmbeddings: true,
  attentionBias: 'none',
  qkNorm: true,
};

describe('llama dims', () => {
  it('names and shapes every HF tensor; head_dim is independent of the width', () => {
    const shapes = new Map(parameterShapes(QWEN3));
    expect(shapes.get('model.layers.1.self_attn.q_proj.weight')).toEqual([32, 12]);
    expect(shapes.get('model.layers.1.self_attn.k_proj.weight')).toEqual([16, 12]);
    expect(shapes.get('model.layers.0.self_attn.o_proj.weight')).toEqual([12, 32]);
    expect(shapes.get('model.layers.0.self_attn.q_norm.weight')).toEqual([8]);
    expect(shapes.has('lm_head.weight')).toBe(false);
    // 48·12 embed + per block (q 384 + k,v 2·192 + o 384 + norms 16 + MLP 3·240 + 24) + final norm 12
    expect(parameterCount(QWEN3)).toBe(576 + 2 * (384 + 384 + 384 + 16 + 720 + 24) + 12);
    const qwen2 = {
      ...QWEN3,
      architecture: 'qwen2' as const,
      qkNorm: false,
      attentionBias: 'qkv' as const,
      tiedEmbeddings: false,
    };
    const s2 = new Map(parameterShapes(qwen2));
    expect(s2.get('model.layers.0.self_attn.v_proj.bias')).toEqual([16]);
    expect(s2.has('model.layers.0.self_attn.o_proj.bias')).toBe(false);
    expect(s2.has('model.layers.0.self_attn.q_norm.weight')).toBe(false);
    expect(s2.get('lm_head.weight')).toEqual([48, 12]);
    expect(
      llamaLinearSpecs(qwen2)
        .filter((l) => l.biasParam)
        .map((l) => l.role),
    ).toEqual(['attn.q', 'attn.k', 'attn.v', 'attn.q', 'attn.k', 'attn.v']);
  });

  it('refuses dims the kernels cannot run, with a sentence', () => {
    expect(() => llamaDims({ ...QWEN3, nKvHead: 3 })).toThrow(/cannot share 3 key\/value heads/);
    expect(() => llamaDims({ ...QWEN3, headDim: 7 })).toThrow(/must be even/);
    expect(() => llamaShape(QWEN3).linear(2, 'mlp.down')).toThrow(/no linear layer mlp.down in block 2/);
  });

  it('lists the parameters upstream of a linear input', () => {
    const down0 = inputParameters(QWEN3, 0, 'mlp.down');
    expect(down0).toContain('model.embed_tokens.weight');
    expect(down0).toContain('model.layers.0.mlp.up_proj.weight');
    expect(down0).not.toContain('model.layers.0.mlp.down_proj.weight');
    expect(inputParameters(QWEN3, 0, 'attn.q')).toEqual([
      'model.embed_tokens.weight',
      'model.layers.0.input_layernorm.weight',
    ]);
    const q1 = inputParameters(QWEN3, 1, 'attn.out');
    expect(q1).toContain('model.layers.0.mlp.down_proj.weight');
    expect(q1).toContain('model.layers.1.self_attn.k_norm.weight');
    expect(q1).not.toContain('model.layers.1.self_attn.o_proj.weight');
  });
});
