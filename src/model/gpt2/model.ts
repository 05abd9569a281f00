// Gpt2Model: a GPT-2 on the GPU, one implementation of LanguageModel (src/model/language-model.ts). The shared
// base (../shared/base-model.ts) owns parameters, linear table, side-car, pass and read-back; this file supplies
// GPT-2's dims, tensors and pass, the parameters upstream of a linear's input, and generation through its own
// KV-cached decoder.

import type { GpuContext } from '../../gpu/context.ts';
import type {
  GenerateOptions,
  LinearRole,
  ModelTrainer,
  RunOptions,
  RunResult,
  TopToken,
} from '../language-model.ts';
import type { GpuTensor } from '../quant/tensors.ts';
import { BaseModel } from '../shared/base-model.ts';
import { Gpt2Decoder } from './decode.ts';
import { gpt2LinearSpecs, gpt2ModelDims, parameterCount, type Gpt2Dims } from './dims.ts';
import type { Gpt2Net } from './forward.ts';
import { Gpt2Parameters } from './parameters.ts';
import { Gpt2Pass } from './pass.ts';
import { Gpt2Trainer } from './training.ts';

export type { RunOptions, RunResult, TopToken };

export class Gpt2Model
  extends BaseModel<ReturnType<typeof gpt2ModelDims>, Gpt2Parameters, Gpt2Pass>
  implements Gpt2Net
{
  readonly architecture = 'gpt2' as const;
  private decoder: Gpt2Decoder | null = null;

  constructor(
    ctx: GpuContext,
    dims: Gpt2Dims,
    weights: Map<string, Float32Array | GpuTensor>,
    label = 'gpt2',
  ) {
    super(ctx, gpt2ModelDims(dims), {
      makeParams: (l, w) => new Gpt2Parameters(ctx, dims, l, w),
      weights,
      label,
      linears: gpt2LinearSpecs(dims),
      parameterCount: parameterCount(dims),
      name: 'GPT-2',
      noun: 'GPT-2',
    });
  }

  inputParameters(block: number, role: LinearRole): string[] {
    this.linear(block, role);
    const names = ['wte.weight', 'wpe.weight'];
    const pair = (l: number, p: string) => [`h.${l}.${p}.weight`, `h.${l}.${p}.bias`];
    const blockOrder = ['ln_1', 'attn.c_attn', 'attn.c_proj', 'ln_2', 'mlp.c_fc', 'mlp.c_proj'];
    for (let l = 0; l < block; l++) names.push(...blockOrder.flatMap((p) => pair(l, p)));
    // Within the block: everything computed before this layer's input (c_attn reads ln_1; c_proj reads c_attn...).
    const before = { 'attn.qkv': 1, 'attn.out': 2, 'mlp.in': 4, 'mlp.down': 5 }[role as string] ?? 0;
    names.push(...blockOrder.slice(0, before).flatMap((p) => pair(block, p)));
    return names;
  }

  createPass(): Gpt2Pass {
    return new Gpt2Pass(this.ctx, this, this.dims);
  }

  protected createF32Trainer(): ModelTrainer {
    return new Gpt2Trainer(this);
  }

  protected async generateSequence(
    ids: number[],
    maxTokens: number,
    opts: GenerateOptions,
  ): Promise<number[]> {
    // KV cache (decode.ts): the prompt runs once, then one token per step.
    this.decoder ??= new Gpt2Decoder(this.ctx, this, this.dims);
    return this.decoder.generate(ids, maxTokens, opts);
  }

  override destroy(): void {
    this.decoder?.destroy();
    super.destroy();
  }
}

export { sampleWithTemperature } from '../decode-loop.ts';
