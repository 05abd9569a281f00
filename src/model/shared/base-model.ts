// What every LanguageModel implementation owns and does the same way: its parameter table, the linear table
// (spec and frozen weight of each (block, role)), the side-car store of edits, the pass that the model's own
// run / nextTokenDistributions / topNext use, GPU top-k, gradients, the f32-only trainer guard, parameter
// read-back and export with the side-car merged. An architecture (gpt2/model.ts, llama/model.ts) supplies its
// dims, parameter table, linear specs and pass, plus what is its own (GPT-2's input-parameter list, Llama's
// RoPE table, each one's cached generation).

import type { GpuContext } from '../../gpu/context.ts';
import type {
  Architecture,
  GenerateOptions,
  HeadRow,
  LanguageModel,
  LinearHook,
  LinearRole,
  LinearSpec,
  LinearWeight,
  ModelDims,
  ModelPass,
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
} from './model-ops.ts';
import type { ParameterTable } from './parameters.ts';

export type Weights = Map<string, Float32Array | GpuTensor>;

/** What an architecture hands the base: everything but its pass (made by `createPass`). */
export interface ModelParts<P extends ParameterTable> {
  /** A parameter table of this model's layout: with `weights` the model's own, without them gradients. */
  makeParams: (label: string, weights?: Weights) => P;
  weights: Weights;
  label: string;
  linears: readonly LinearSpec[];
  parameterCount: number;
  /** In the side-car's messages ('GPT-2', 'Qwen3'). */
  name: string;
  /** In linear()'s message: "This {noun} (N blocks) has no linear layer ..." ('GPT-2', 'Qwen3 model'). */
  noun: string;
}

/**
 * `D` the architecture's dims, `P` its parameter table, `Pass` its pass (whose activations tests read). The
 * constructor calls `createPass()` once for the model's own pass, so an override may only read `ctx`, `dims`
 * and `params` (set before it).
 */
export abstract class BaseModel<
  D extends ModelDims,
  P extends ParameterTable,
  Pass extends ModelPass & { readonly activations: unknown },
> implements LanguageModel {
  abstract readonly architecture: Architecture;
  readonly params: P;
  readonly linears: readonly LinearSpec[];
  readonly sideCar: SideCarStore;
  readonly scratch: LinearScratch;
  readonly parameterCount: number;
  static readonly MAX_TOPK = MAX_TOPK;
  private readonly weights = new Map<string, LinearWeight>();
  private readonly specs = new Map<string, LinearSpec>();
  private readonly makeParams: ModelParts<P>['makeParams'];
  private readonly noun: string;
  protected readonly pass: Pass;
  protected readonly top: TopKReader;

  protected constructor(
    readonly ctx: GpuContext,
    readonly dims: D,
    parts: ModelParts<P>,
  ) {
    this.makeParams = parts.makeParams;
    this.noun = parts.noun;
    this.params = parts.makeParams(parts.label, parts.weights);
    this.linears = parts.linears;
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
    this.sideCar = new SideCarStore(this.linears, parts.name);
    this.scratch = new LinearScratch(ctx, parts.label);
    this.parameterCount = parts.parameterCount;
    this.pass = this.createPass();
    this.top = new TopKReader(ctx, parts.label);
  }

  /** A pass with buffers of its own (editor training keeps more than the model's). */
  abstract createPass(): Pass;
  /** The architecture's AdamW trainer (called only for f32 weights). */
  protected abstract createF32Trainer(): ModelTrainer;
  /**
   * Greedy (temperature 0) or sampled continuation of `ids` by `maxTokens` tokens (stops at `stopId`). Calls run
   * one at a time: a model has one KV cache, and two generations interleaved at their awaits would write each
   * other's cache rows (and a longer one would replace the buffers the other is still using).
   */
  generate(ids: number[], maxTokens: number, opts: GenerateOptions = {}): Promise<number[]> {
    const run = this.generating.then(() => this.generateSequence(ids, maxTokens, opts));
    this.generating = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
  private generating: Promise<void> = Promise.resolve();
  /** One generation with the architecture's KV-cached decoder; `generate` queues the calls. */
  protected abstract generateSequence(
    ids: number[],
    maxTokens: number,
    opts: GenerateOptions,
  ): Promise<number[]>;
  abstract inputParameters(block: number, role: LinearRole): string[];

  linear(block: number, role: LinearRole): LinearSpec {
    const s = this.specs.get(`${block}.${role}`);
    if (!s)
      throw new RangeError(
        `This ${this.noun} (${this.dims.nLayer} blocks) has no linear layer ${role} in block ${block}.`,
      );
    return s;
  }

  linearWeight(block: number, role: LinearRole): LinearWeight {
    this.linear(block, role);
    return this.weights.get(`${block}.${role}`)!;
  }

  createGradients(label: string): P {
    return this.makeParams(label);
  }

  createTrainer(): ModelTrainer {
    if (this.params.packed.size > 0)
      throw new Error(
        `This model's weights are loaded as ${[...new Set([...this.params.packed.values()].map((t) => t.format))].join('/')}, which are frozen: load it as f32 to train it.`,
      );
    return this.createF32Trainer();
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
  get activations(): Pass['activations'] {
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

  destroy(): void {
    this.params.destroy();
    this.pass.destroy();
    this.scratch.destroy();
    this.top.destroy();
  }
}
