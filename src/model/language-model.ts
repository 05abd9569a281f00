// The one model interface (issue 9): what editors, editor training, (u, δ) capture, ROME statistics, the engine
// session and the CLI see of a language model. GPT-2 (src/model/gpt2) and Llama/Qwen3 (src/model/llama) are
// implementations; nothing above src/model names an architecture's tensors. Types only, plus the role table
// helpers every implementation shares.
//
// Conventions:
//  - A "block" is one transformer layer, 0 .. nLayer − 1. A linear layer is addressed by (block, role).
//  - Every linear computes y = x·W (+ b) in LOGICAL (nIn → nOut) terms, whatever its storage order: W is stored
//    (nIn, nOut) for GPT-2's Conv1D ('in_out') and (nOut, nIn) for nn.Linear ('out_in'). Everything an editor
//    hands back (patch factors, dense deltas, u, δ) is logical: u (N, nIn), δ (N, nOut), ΔW (nIn, nOut).
//  - All recording methods record GPU work without waiting; `run`, `topNext`... submit and read back.
//  - Side-car terms (edits) are applied in the forward AND the backward of every pass; base weights are never
//    written by editing (src/model/linear.ts is the one place that dispatches a linear with its side-car).

import type { GpuContext } from '../gpu/context.ts';

/** Model families the engine runs. A config of another model_type is refused at load (src/model/config.ts). */
export type Architecture = 'gpt2' | 'llama' | 'qwen2' | 'qwen3';

/**
 * A linear layer's job inside its block. GPT-2: 'attn.qkv' (c_attn, fused), 'attn.out' (attn.c_proj),
 * 'mlp.in' (c_fc), 'mlp.down' (mlp.c_proj). Llama/Qwen: 'attn.q' | 'attn.k' | 'attn.v' | 'attn.out' (o_proj),
 * 'mlp.gate', 'mlp.up', 'mlp.down' (down_proj). 'mlp.down' is the MLP's output projection in every family:
 * the layer FT-L and ROME edit.
 */
export type LinearRole =
  'attn.q' | 'attn.k' | 'attn.v' | 'attn.qkv' | 'attn.out' | 'mlp.in' | 'mlp.gate' | 'mlp.up' | 'mlp.down';

export const LINEAR_ROLES: readonly LinearRole[] = [
  'attn.q',
  'attn.k',
  'attn.v',
  'attn.qkv',
  'attn.out',
  'mlp.in',
  'mlp.gate',
  'mlp.up',
  'mlp.down',
];

/** Whether the role belongs to the MLP (a backward that only needs MLP gradients may stop after it). */
export function isMlpRole(role: LinearRole): boolean {
  return role.startsWith('mlp.');
}

/** 'in_out': stored (nIn, nOut), y = x·W (GPT-2 Conv1D). 'out_in': stored (nOut, nIn), y = x·Wᵀ (nn.Linear). */
export type StorageOrder = 'in_out' | 'out_in';

/**
 * How a linear weight's values are stored on the GPU. 'f32' is the only format with gradients and merging;
 * helper formats (f16, int8/int4 blocks...) are added in src/model/linear*.ts (see LinearWeight).
 */
export type WeightFormat = 'f32' | 'f16' | 'q8_0' | 'q4_0' | 'q4_k' | 'q6_k';

/**
 * A linear layer's frozen weight on the GPU. `data` holds the values in `format` and `order`; quantized formats
 * may keep their block scales in `scales`. src/model/linear.ts dispatches y = x·W + b and dx = δ·Wᵀ on it.
 */
export interface LinearWeight {
  format: WeightFormat;
  order: StorageOrder;
  nIn: number;
  nOut: number;
  data: GPUBuffer;
  /** Per-block scales (quantized formats), else absent. */
  scales?: GPUBuffer;
  /** (nOut) bias, or null (Llama/Qwen3 have none; Qwen2 has q/k/v biases). Always f32. */
  bias: GPUBuffer | null;
}

/** One entry of an architecture's role table: which checkpoint tensor plays `role` in `block`. */
export interface LinearSpec {
  block: number;
  role: LinearRole;
  /** The parameter's name in this model's checkpoint naming, e.g. 'h.3.mlp.c_proj.weight', 'model.layers.3.mlp.down_proj.weight'. */
  param: string;
  /** The bias parameter's name, or null. */
  biasParam: string | null;
  nIn: number;
  nOut: number;
  order: StorageOrder;
}

/** Shapes every architecture has. Family-specific fields (eps, rope_theta...) live on the implementation. */
export interface ModelDims {
  nLayer: number;
  /** Residual width (hidden_size). */
  nEmbd: number;
  /** Longest sequence the model reads (n_positions / max_position_embeddings). */
  nPositions: number;
  vocabSize: number;
  /** Query heads. */
  nHead: number;
  /** Key/value heads (= nHead without grouped-query attention). */
  nKvHead: number;
  /** Width of one head (nEmbd / nHead for GPT-2; independent of nEmbd for Qwen3). */
  headDim: number;
  /** MLP hidden width (4·nEmbd for GPT-2, intermediate_size for Llama). */
  nInner: number;
}

/** B sequences right-padded to T (src/model/batch.ts builds these). */
export interface TokenBatch {
  B: number;
  T: number;
  /** (B·T) token ids, right-padded with 0. */
  ids: Uint32Array;
  lengths: number[];
}

/** A row of the (B·T) stream that goes through the LM head, with its target and loss weight. */
export interface HeadRow {
  /** Row in the (B·T) stream: b·T + t. */
  row: number;
  /** Target token at that row (the next token), or 0 when the row only needs probabilities. */
  target: number;
  /** Weight of this row's NLL in the loss (0 = no loss). */
  weight: number;
}

/**
 * A hook on a linear layer's output, called at record time right after y = x·W (+ b) (+ side-car) is recorded:
 * it may record reads of x (N, nIn) / y (N, nOut) or extra terms added into y (ROME's v* search adds δ at the
 * subject rows; ROME's key statistics read x). Called for every linear; callers filter on (block, role).
 */
export type LinearHook = (
  ctx: GpuContext,
  args: { block: number; role: LinearRole; x: GPUBuffer; y: GPUBuffer; rows: number },
) => void;

/**
 * Called at record time during the backward, as soon as a linear's output gradient is recorded: u = its saved
 * input (N, nIn), delta = ∂L/∂y (N, nOut), logical layout, N = B·T rows (padding rows have δ = 0).
 * ∂L/∂W = uᵀ·δ. Both buffers are reused later in the pass: the callee records a copy of what it keeps.
 */
export type LinearGradientHook = (block: number, role: LinearRole, u: GPUBuffer, delta: GPUBuffer) => void;

/** Gradient buffers for every trainable parameter of a model (`createGradients`). */
export interface ParameterGradients {
  get(param: string): GPUBuffer;
  zero(): void;
  destroy(): void;
}

export interface BackwardOptions {
  /** Parameter gradients accumulate here; omit to compute activation gradients only (editors). */
  grads?: ParameterGradients;
  /** Which parameters get gradients (default: all, when `grads` is given). */
  wantGrad?: (param: string) => boolean;
  /** Lowest block to backpropagate through (default 0, which also reaches the embeddings). */
  stopLayer?: number;
  /** At `stopLayer`, stop once the MLP's input linears' output gradients are known (MLP-only editors). */
  stopAfterMlp?: boolean;
  /** Each linear's (u, δ) as soon as δ is known (MEND/IBKE capture, FT-L's gradient, ROME's ∂L/∂v). */
  onLinear?: LinearGradientHook;
  /**
   * Called once the head's dlogits (R, V) is recorded, before it propagates: extra loss terms on the head rows
   * add their logit gradient here (ROME's KL against soft targets). `probs` is the softmax.
   */
  onHeadGradient?: (head: { dlogits: GPUBuffer; probs: GPUBuffer; R: number; V: number }) => void;
}

export interface RunOptions {
  /** Record a backward pass after the forward. */
  backward?: BackwardOptions;
  /** Reads/extra terms on linear outputs (see LinearHook). */
  hook?: LinearHook;
  /** Read back the head's probabilities (R, V). */
  readProbs?: boolean;
}

export interface RunResult {
  /** Σ weight·NLL over the head rows. */
  loss: number;
  /** Per-row NLL·weight. */
  losses: Float32Array;
  probs?: Float32Array;
}

/** The head's buffers of a recorded pass, valid until that pass records again. */
export interface HeadOutputs {
  /** (R, V) softmax of the head rows. */
  probs: GPUBuffer;
  /** (R) weight·NLL per row. */
  losses: GPUBuffer;
  R: number;
}

/**
 * Activation and head buffers of its own, for callers that keep several passes' results alive within one submit
 * (editor training: pre-edit and post-edit forwards). Grows when a batch does not fit, never per step after.
 */
export interface ModelPass {
  /** Allocates for B sequences of up to T tokens and R head rows up front. */
  reserve(B: number, T: number, R: number): void;
  /** Records the forward (+ backward) without submitting. */
  record(batch: TokenBatch, rows: HeadRow[], opts?: RunOptions): HeadOutputs;
  destroy(): void;
}

export interface TopToken {
  id: number;
  prob: number;
}

export interface GenerateOptions {
  /** 0 or absent: greedy. */
  temperature?: number;
  seed?: number;
  stopId?: number;
  hook?: LinearHook;
}

/**
 * A low-rank side-car term on one linear: ΔW = leftᵀ·right, i.e. y += (x·leftᵀ)·right and dx += (δ·rightᵀ)·left.
 * left (rank, nIn), right (rank, nOut), f32, logical layout (independent of the weight's storage order).
 */
export interface LowRankTerm {
  kind: 'low_rank';
  rank: number;
  left: GPUBuffer;
  right: GPUBuffer;
}

/** A dense side-car term: y += x·delta, dx += δ·deltaᵀ; delta (nIn, nOut) f32 logical layout (FT-L). */
export interface DenseTerm {
  kind: 'dense';
  delta: GPUBuffer;
}

export type SideCarTerm = LowRankTerm | DenseTerm;

/**
 * Extra terms next to the frozen weights, applied in every forward and backward recorded after they are set.
 * Each term belongs to an `owner` (e.g. 'patches' for the applied edits, 'ft' for FT-L's running delta,
 * 'train' for a hypernetwork's training-time ΔW), so one owner's terms come and go without touching others'.
 * The buffers stay the owner's: the side-car never copies or destroys them. Setting records nothing.
 */
export interface SideCar {
  /** Replaces `owner`'s term on (block, role); null removes it. Throws for a (block, role) the model lacks. */
  set(owner: string, block: number, role: LinearRole, term: SideCarTerm | null): void;
  /** Removes every term of `owner`. */
  clear(owner: string): void;
  /** The terms on (block, role), in owner insertion order (what linear.ts applies). */
  terms(block: number, role: LinearRole): readonly SideCarTerm[];
  /** Whether any term is set anywhere. */
  readonly empty: boolean;
}

/** One optimizer step's settings (AdamW). */
export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** Full-model training (toy models in tests, `editscope train-model`). f32 weights only. */
export interface ModelTrainer {
  /**
   * One AdamW step on token sequences; returns the mean NLL before the update. With `promptLengths` only the
   * completion after each prompt is scored.
   */
  trainStep(sequences: number[][], cfg: AdamWConfig, promptLengths?: number[]): Promise<number>;
  destroy(): void;
}

/** What of a model its shape alone gives (no GPU): hypernetworks size themselves from it. */
export type ModelShape = Pick<LanguageModel, 'architecture' | 'dims' | 'linears' | 'linear'>;

export interface LanguageModel {
  readonly architecture: Architecture;
  readonly ctx: GpuContext;
  readonly dims: ModelDims;
  /** Every linear of every block (the role table instantiated for this model), block-major. */
  readonly linears: readonly LinearSpec[];
  /** The spec of (block, role); throws a RangeError naming the architecture when it has no such layer. */
  linear(block: number, role: LinearRole): LinearSpec;
  /** The frozen weight of (block, role). */
  linearWeight(block: number, role: LinearRole): LinearWeight;
  /** Edits next to the frozen weights (see SideCar). */
  readonly sideCar: SideCar;

  /** Records forward (+ backward) on `batch` with loss rows `rows`, submits, and reads the losses. */
  run(batch: TokenBatch, rows: HeadRow[], opts?: RunOptions): Promise<RunResult>;
  /** A pass with buffers of its own (see ModelPass). */
  createPass(): ModelPass;
  /** Full next-token distributions (V each) after each sequence. */
  nextTokenDistributions(sequences: number[][], hook?: LinearHook): Promise<Float32Array[]>;
  /** Top-k (1..64) next tokens after each sequence, computed on the GPU. */
  topNext(sequences: number[][], k: number, hook?: LinearHook): Promise<TopToken[][]>;
  /** Greedy or sampled continuation of `ids` by up to `maxTokens` tokens (stops at `stopId`, or the context). */
  generate(ids: number[], maxTokens: number, opts?: GenerateOptions): Promise<number[]>;

  /** Gradient buffers for every trainable parameter (f32 models only). */
  createGradients(label: string): ParameterGradients;
  /** An AdamW trainer over every parameter (f32 models only). */
  createTrainer(): ModelTrainer;
  /**
   * The parameters (checkpoint names, fixed order) whose values determine the INPUT of (block, role): embeddings,
   * every earlier block, and the layers before it in its own block. ROME fingerprints its key statistics with it.
   */
  inputParameters?(block: number, role: LinearRole): string[];
  /** Reads back one parameter in its checkpoint name and shape as f32 (hashing, tests). */
  readParameter(param: string): Promise<Float32Array>;
  /**
   * Every parameter as f32 in checkpoint names, with the side-car's current terms merged into the linear weights
   * (W + ΔW in storage order): the edited model, for export/download. Throws for non-f32 weights.
   */
  exportWeights(opts?: { merged?: boolean }): Promise<Map<string, Float32Array>>;
  /** Total parameter count (for display). */
  readonly parameterCount: number;
  destroy(): void;
}
