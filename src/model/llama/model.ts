// LlamaModel: a Llama 2 / Qwen2 / Qwen3 on the GPU, one implementation of LanguageModel
// (src/model/language-model.ts). The shared base (../shared/base-model.ts) owns parameters, linear table,
// side-car, pass and read-back; this file supplies the family's dims, tensors and pass, the RoPE table, and
// generation with a KV cache.

import type { GpuContext } from '../../gpu/context.ts';
import { ropeTable } from '../../gpu/kernels/rope.ts';
import { generateCached, type CachedDecoder } from '../decode-loop.ts';
import type { GenerateOptions, LinearRole, ModelTrainer } from '../language-model.ts';
import type { GpuTensor } from '../quant/tensors.ts';
import { BaseModel } from '../shared/base-model.ts';
import { inputParameters, llamaDims, llamaLinearSpecs, parameterCount, type LlamaDims } from './dims.ts';
import type { LlamaNet } from './forward.ts';
import { LlamaKvCache } from './kv-cache.ts';
import { LlamaParameters } from './parameters.ts';
import { LlamaPass } from './pass.ts';
import { LlamaTrainer } from './training.ts';

const NAMES = { llama: 'Llama', qwen2: 'Qwen2', qwen3: 'Qwen3' } as const;

export class LlamaModel extends BaseModel<LlamaDims, LlamaParameters, LlamaPass> implements LlamaNet {
  readonly architecture: LlamaDims['architecture'];
  private rope: { buffer: GPUBuffer; positions: number } | null = null;
  private cache: LlamaKvCache | null = null;

  /** `weights`: HF tensor names (model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight, ...), f32. */
  constructor(
    ctx: GpuContext,
    dims: LlamaDims,
    weights: Map<string, Float32Array | GpuTensor>,
    private readonly label = 'llama',
  ) {
    const d = llamaDims(dims);
    super(ctx, d, {
      makeParams: (l, w) => new LlamaParameters(ctx, d, l, w),
      weights,
      label,
      linears: llamaLinearSpecs(d),
      parameterCount: parameterCount(d),
      name: NAMES[d.architecture],
      noun: `${NAMES[d.architecture]} model`,
    });
    this.architecture = d.architecture;
  }

  inputParameters(block: number, role: LinearRole): string[] {
    return inputParameters(this.dims, block, role);
  }

  /** The RoPE table for positions 0..positions−1, grown by doubling (up to the context) when a pass needs more. */
  ropeTable(positions: number): GPUBuffer {
    if (this.rope && this.rope.positions >= positions) return this.rope.buffer;
    const P = Math.min(this.dims.nPositions, Math.max(positions, 2 * (this.rope?.positions ?? 32)));
    if (this.rope) {
      this.ctx.flush(); // recorded work may still read the old table
      this.rope.buffer.destroy();
    }
    const buffer = this.ctx.upload(
      `${this.label}.rope`,
      ropeTable(P, this.dims.headDim, this.dims.ropeTheta),
    );
    this.rope = { buffer, positions: P };
    return buffer;
  }

  createPass(): LlamaPass {
    return new LlamaPass(this.ctx, this, this.dims);
  }

  protected createF32Trainer(): ModelTrainer {
    return new LlamaTrainer(this);
  }

  /** Greedy or sampled continuation with a KV cache: the prompt is run once, then one token per step. */
  protected async generateSequence(
    ids: number[],
    maxTokens: number,
    opts: GenerateOptions,
  ): Promise<number[]> {
    // No room left in the context: nothing to generate (as when the loop's bound is reached).
    if (ids.length >= this.dims.nPositions || maxTokens < 1) return [];
    const S = Math.min(this.dims.nPositions, ids.length + maxTokens);
    if (!this.cache || this.cache.S < S) {
      this.ctx.flush();
      this.cache?.destroy();
      this.cache = new LlamaKvCache(this.ctx, this.dims, Math.max(S, 2 * (this.cache?.S ?? 0)));
    }
    const cache = this.cache;
    const step = (tokens: number[], pos0: number) => {
      const batch = { B: 1, T: tokens.length, ids: Uint32Array.from(tokens), lengths: [tokens.length] };
      const rows = [{ row: tokens.length - 1, target: 0, weight: 0 }];
      return this.pass.recordCached(batch, rows, { hook: opts.hook }, cache.view(pos0));
    };
    const decoder: CachedDecoder = {
      greedy: async (tokens, pos0) =>
        (await this.top.read(step(tokens, pos0).probs, 1, this.dims.vocabSize, 1))[0][0].id,
      distribution: async (tokens, pos0) =>
        this.ctx.read(step(tokens, pos0).probs, 0, this.dims.vocabSize * 4),
    };
    return generateCached(decoder, ids, maxTokens, this.dims.nPositions, opts);
  }

  override destroy(): void {
    super.destroy();
    this.cache?.destroy();
    this.rope?.buffer.destroy();
  }
}
