// LlamaModel: a Llama 2 / Qwen2 / Qwen3 on the GPU, one implementation of LanguageModel
// (src/model/language-model.ts). Owns parameters, the RoPE table and activation buffers; runs forward, backward,
// prediction and generation with a KV cache.

import type { GpuContext } from '../../gpu/context.ts';
import { ropeTable } from '../../gpu/kernels/rope.ts';
import { generateCached, type CachedDecoder } from '../decode-loop.ts';
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
import type { LlamaActivations } from './activations.ts';
import { inputParameters, llamaDims, llamaLinearSpecs, parameterCount, type LlamaDims } from './dims.ts';
import type { LlamaNet } from './forward.ts';
import { LlamaKvCache } from './kv-cache.ts';
import { LlamaParameters } from './parameters.ts';
import { LlamaPass } from './pass.ts';
import { LlamaTrainer } from './training.ts';

const NAMES = { llama: 'Llama', qwen2: 'Qwen2', qwen3: 'Qwen3' } as const;

export class LlamaModel implements LanguageModel, LlamaNet {
  readonly architecture: LlamaDims['architecture'];
  readonly dims: LlamaDims;
  readonly params: LlamaParameters;
  readonly linears: readonly LinearSpec[];
  readonly sideCar: SideCarStore;
  readonly scratch: LinearScratch;
  readonly parameterCount: number;
  private readonly weights = new Map<string, LinearWeight>();
  private readonly specs = new Map<string, LinearSpec>();
  private readonly pass: LlamaPass;
  private readonly top: TopKReader;
  private rope: { buffer: GPUBuffer; positions: number } | null = null;
  private cache: LlamaKvCache | null = null;
  static readonly MAX_TOPK = MAX_TOPK;

  /** `weights`: HF tensor names (model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight, ...), f32. */
  constructor(
    readonly ctx: GpuContext,
    dims: LlamaDims,
    weights: Map<string, Float32Array | GpuTensor>,
    private readonly label = 'llama',
  ) {
    this.dims = llamaDims(dims);
    this.architecture = this.dims.architecture;
    this.params = new LlamaParameters(ctx, this.dims, label, weights);
    this.linears = llamaLinearSpecs(this.dims);
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
    this.sideCar = new SideCarStore(this.linears, NAMES[this.architecture]);
    this.scratch = new LinearScratch(ctx, label);
    this.parameterCount = parameterCount(this.dims);
    this.pass = new LlamaPass(ctx, this, this.dims);
    this.top = new TopKReader(ctx, label);
  }

  linear(block: number, role: LinearRole): LinearSpec {
    const s = this.specs.get(`${block}.${role}`);
    if (!s)
      throw new RangeError(
        `This ${NAMES[this.architecture]} model (${this.dims.nLayer} blocks) has no linear layer ${role} in block ${block}.`,
      );
    return s;
  }

  linearWeight(block: number, role: LinearRole): LinearWeight {
    this.linear(block, role);
    return this.weights.get(`${block}.${role}`)!;
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

  createGradients(label: string): LlamaParameters {
    return new LlamaParameters(this.ctx, this.dims, label);
  }

  createTrainer(): ModelTrainer {
    if (this.params.packed.size > 0)
      throw new Error(
        `This model's weights are loaded as ${[...new Set([...this.params.packed.values()].map((t) => t.format))].join('/')}, which are frozen: load it as f32 to train it.`,
      );
    return new LlamaTrainer(this);
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

  async run(batch: TokenBatch, rows: HeadRow[], opts: RunOptions = {}): Promise<RunResult> {
    return readRun(this.ctx, this.pass.record(batch, rows, opts), this.dims.vocabSize, opts.readProbs);
  }

  /** The activation buffers of the last run (tests read saved inputs from them). */
  get activations(): LlamaActivations {
    return this.pass.activations;
  }

  nextTokenDistributions(sequences: number[][], hook?: LinearHook): Promise<Float32Array[]> {
    return nextTokenDistributions(this.ctx, this.dims, this.record(hook), sequences);
  }

  topNext(sequences: number[][], k: number, hook?: LinearHook): Promise<TopToken[][]> {
    return topNext(this.dims, this.record(hook), this.top, sequences, k);
  }

  private record(hook?: LinearHook) {
    return (batch: TokenBatch, rows: HeadRow[]) => this.pass.record(batch, rows, { hook });
  }

  /** Greedy or sampled continuation with a KV cache: the prompt is run once, then one token per step. */
  async generate(ids: number[], maxTokens: number, opts: GenerateOptions = {}): Promise<number[]> {
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

  destroy(): void {
    this.params.destroy();
    this.pass.destroy();
    this.scratch.destroy();
    this.cache?.destroy();
    this.rope?.buffer.destroy();
    this.top.destroy();
  }
}
