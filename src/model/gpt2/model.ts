// Gpt2Model: a GPT-2 on the GPU. Owns parameters and activation buffers; runs forward, backward, prediction and
// generation. One implementation of LanguageModel (src/model/language-model.ts).

import type { GpuContext } from '../../gpu/context.ts';
import type {
  GenerateOptions,
  HeadRow,
  LanguageModel,
  LinearHook,
  LinearRole,
  LinearSpec,
  LinearWeight,
  ModelTrainer,
  RunOptions,
  RunResult,
  TokenBatch,
  TopToken,
} from '../language-model.ts';
import { LinearScratch } from '../linear.ts';
import { readTensorValues, type GpuTensor } from '../quant/tensors.ts';
import { SideCarStore } from '../sidecar.ts';
import {
  MAX_TOPK,
  mergeSideCarTerms,
  nextTokenDistributions,
  readRun,
  topNext,
  TopKReader,
} from '../shared/model-ops.ts';
import type { Gpt2Activations } from './activations.ts';
import { Gpt2Decoder } from './decode.ts';
import { gpt2LinearSpecs, gpt2ModelDims, parameterCount, type Gpt2Dims } from './dims.ts';
import type { Gpt2Net } from './forward.ts';
import { Gpt2Parameters } from './parameters.ts';
import { Gpt2Pass } from './pass.ts';
import { Gpt2Trainer } from './training.ts';

export type { RunOptions, RunResult, TopToken };

export class Gpt2Model implements LanguageModel, Gpt2Net {
  readonly architecture = 'gpt2' as const;
  readonly dims: ReturnType<typeof gpt2ModelDims>;
  readonly params: Gpt2Parameters;
  readonly linears: readonly LinearSpec[];
  readonly sideCar: SideCarStore;
  readonly scratch: LinearScratch;
  readonly parameterCount: number;
  private readonly weights = new Map<string, LinearWeight>();
  private readonly specs = new Map<string, LinearSpec>();
  private readonly pass: Gpt2Pass;
  private readonly top: TopKReader;
  private decoder: Gpt2Decoder | null = null;
  static readonly MAX_TOPK = MAX_TOPK;

  constructor(
    readonly ctx: GpuContext,
    dims: Gpt2Dims,
    weights: Map<string, Float32Array | GpuTensor>,
    label = 'gpt2',
  ) {
    this.dims = gpt2ModelDims(dims);
    this.params = new Gpt2Parameters(ctx, dims, label, weights);
    this.linears = gpt2LinearSpecs(dims);
    for (const s of this.linears) {
      const key = `${s.block}.${s.role}`;
      this.specs.set(key, s);
      // The weight in whatever format it was loaded in (f32, or packed: then the packed buffers are its only copy).
      const t = this.params.tensor(s.param);
      this.weights.set(key, {
        format: t.format,
        order: s.order,
        nIn: s.nIn,
        nOut: s.nOut,
        data: t.data,
        ...(t.scales ? { scales: t.scales } : {}),
        bias: s.biasParam ? this.params.get(s.biasParam) : null,
      });
    }
    this.sideCar = new SideCarStore(this.linears, 'GPT-2');
    this.scratch = new LinearScratch(ctx, label);
    this.parameterCount = parameterCount(dims);
    this.pass = new Gpt2Pass(ctx, this, this.dims);
    this.top = new TopKReader(ctx, label);
  }

  linear(block: number, role: LinearRole): LinearSpec {
    const s = this.specs.get(`${block}.${role}`);
    if (!s)
      throw new RangeError(
        `This GPT-2 (${this.dims.nLayer} blocks) has no linear layer ${role} in block ${block}.`,
      );
    return s;
  }

  linearWeight(block: number, role: LinearRole): LinearWeight {
    this.linear(block, role);
    return this.weights.get(`${block}.${role}`)!;
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

  createGradients(label: string): Gpt2Parameters {
    return new Gpt2Parameters(this.ctx, this.dims, label);
  }

  createTrainer(): ModelTrainer {
    if (this.params.packed.size > 0)
      throw new Error(
        `This model's weights are loaded as ${[...new Set([...this.params.packed.values()].map((t) => t.format))].join('/')}, which are frozen: load it as f32 to train it.`,
      );
    return new Gpt2Trainer(this);
  }

  async readParameter(param: string): Promise<Float32Array> {
    // A packed parameter reads back dequantised: the values the kernels compute with.
    return readTensorValues(this.ctx, this.params.tensor(param));
  }

  async exportWeights(opts: { merged?: boolean } = {}): Promise<Map<string, Float32Array>> {
    const out = await this.params.download();
    if (opts.merged !== false) await mergeSideCarTerms(this.ctx, out, this.linears, this.sideCar);
    return out;
  }

  /** Records forward (+ backward) for `batch` with loss rows `rows`, submits, and reads the losses. */
  async run(batch: TokenBatch, rows: HeadRow[], opts: RunOptions = {}): Promise<RunResult> {
    return readRun(this.ctx, this.pass.record(batch, rows, opts), this.dims.vocabSize, opts.readProbs);
  }

  /** The activation buffers of the last run (tests read saved inputs u from them). */
  get activations(): Gpt2Activations {
    return this.pass.activations;
  }

  /** Full next-token distributions (V each) after each sequence. */
  nextTokenDistributions(sequences: number[][], hook?: LinearHook): Promise<Float32Array[]> {
    return nextTokenDistributions(this.ctx, this.dims, this.record(hook), sequences);
  }

  /** Top-k next tokens after each sequence, computed on the GPU (only k values per row come back). */
  topNext(sequences: number[][], k: number, hook?: LinearHook): Promise<TopToken[][]> {
    return topNext(this.dims, this.record(hook), this.top, sequences, k);
  }

  private record(hook?: LinearHook) {
    return (batch: TokenBatch, rows: HeadRow[]) => this.pass.record(batch, rows, { hook });
  }

  /** Greedy (temperature 0) or sampled continuation of `ids` by `maxTokens` tokens (stops at `stopId`). */
  async generate(ids: number[], maxTokens: number, opts: GenerateOptions = {}): Promise<number[]> {
    // KV cache (decode.ts): the prompt runs once, then one token per step.
    this.decoder ??= new Gpt2Decoder(this.ctx, this, this.dims);
    return this.decoder.generate(ids, maxTokens, opts);
  }

  destroy(): void {
    this.decoder?.destroy();
    this.params.destroy();
    this.pass.destroy();
    this.scratch.destroy();
    this.top.destroy();
  }
}

export { sampleWithTemperature } from '../decode-loop.ts';
