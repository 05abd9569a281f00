// The hypernetwork editors' (MEND, IBKE) GPU API, shared by the editors (src/editors/{mend,ibke}.ts) and the
// training loop (src/editors/training/**). Spec: /work/shared/method.md, "The per-token gradient", "MEND", "IBKE".
//
// Data flow of one edit (or one training step's batch of edits):
//   GradientCapture.capture(edits)        → GradientTokens  (u_t, δ_t of every edited layer, on the GPU)
//   Hypernet.forward(tokens, {train})      → FactorOutput[]  (ΔW_m = leftᵀ·right per edited weight)
//   training only: the loop applies ΔW, computes ∂L/∂ΔW_m (dense, (nIn, nOut)), turns it into ∂L/∂left and
//   ∂L/∂right with `factorGradients` (src/editors/hyper/factors.ts), then Hypernet.backward(...) accumulates
//   the editor's parameter gradients and an optimizer (AdamW over `params`) steps.
//
// Where things live:
//   createHypernet, defaultEditedLayers  src/editors/hyper/index.ts
//   GradientCapture                      src/editors/hyper/capture.ts
//   factorGradients, addFactors          src/editors/hyper/factors.ts
//   read/write editor files              src/editors/hyper/files.ts
//
// Ownership: every GPUBuffer handed out (GradientLayer, FactorOutput) belongs to the object that returned it
// and is overwritten by its next call; buffers grow only when a batch is larger than any before (warm-up), so
// a training loop allocates nothing per step once it has seen its largest batch.

import type { ModelShape } from '../../model/language-model.ts';

/** One edited weight's gradient factors: ∂L/∂W = Σ_t u_t δ_tᵀ = uᵀ·delta (method.md, "The per-token gradient"). */
export interface GradientLayer {
  /** The edited layer's key '{block}.{role}', e.g. '3.mlp.in' (layers.ts); logical layout (nIn, nOut). */
  key: string;
  nIn: number;
  nOut: number;
  /** Rows in use (the buffers may be larger). Equal for every layer of one GradientTokens. */
  tokens: number;
  /** (tokens, nIn): the layer's input at each kept position. */
  u: GPUBuffer;
  /** (tokens, nOut): ∂L/∂y at each kept position. */
  delta: GPUBuffer;
}

/** The gradient tokens of one or several edits. Rows are edit-major: edit 0's positions, then edit 1's... */
export interface GradientTokens {
  layers: GradientLayer[];
  /** Tokens per edit (Σ = each layer's `tokens`). IBKE encodes each edit into its own latent. */
  editTokens: number[];
}

/** ΔW = leftᵀ·right (nIn, nOut), rank = the layer's token count. Same form as WeightDelta in ../types.ts. */
export interface FactorOutput {
  key: string;
  nIn: number;
  nOut: number;
  rank: number;
  /** (rank, nIn), already scaled: row t = −α_m·c_t·ũ_t (c ≡ 1 for MEND). */
  left: GPUBuffer;
  /** (rank, nOut): row t = δ̃_t. */
  right: GPUBuffer;
}

/** ∂L/∂left and ∂L/∂right for one FactorOutput (same shapes, same layer key). */
export interface FactorGradient {
  key: string;
  dLeft: GPUBuffer;
  dRight: GPUBuffer;
}

/** A trainable tensor of the editor. `grad` has the same size; gradients accumulate (+=). */
export interface HypernetParam {
  name: string;
  shape: number[];
  size: number;
  buffer: GPUBuffer;
  grad: GPUBuffer;
  /** Whether AdamW's weight decay applies (matrices yes; biases, LayerNorm, scales, step sizes no). */
  decay: boolean;
}

export interface ForwardOptions {
  /** Training: saves what backward needs; IBKE samples z = μ + σ⊙ε (unless useIb is false). */
  train: boolean;
  /** Seed of ε (IBKE, train only); a different seed per step. */
  seed?: number;
}

export interface BackwardOptions {
  /** IBKE: weight of KL(N(μ,σ²)‖N(0,I)) in the loss (its gradient is added here). Ignored by MEND. */
  beta: number;
}

export interface Hypernet {
  readonly method: 'mend' | 'ibke';
  readonly config: HypernetConfig;
  /** The edited weights, in the order forward's outputs come. */
  readonly editedLayers: readonly string[];
  /**
   * Records the forward (no submit) for the gradient tokens of one edit or a batch of edits (layers must be
   * exactly `editedLayers`, in order). With train = true it saves what backward needs. The returned buffers are
   * the hypernet's own and are overwritten by the next forward.
   */
  forward(tokens: GradientTokens, opts: ForwardOptions): FactorOutput[];
  /**
   * Records the backward of the last train forward: given ∂L/∂left and ∂L/∂right per layer, accumulates (+=)
   * every parameter's gradient; IBKE also adds β·∂KL/∂θ. dFactors may come in any order but must cover
   * every edited param.
   */
  backward(dFactors: FactorGradient[], opts: BackwardOptions): void;
  /** IBKE: KL(N(μ,σ²)‖N(0,I)) of the last forward, summed over latent elements, averaged over edits. MEND: 0. */
  readKl(): Promise<number>;
  readonly params: readonly HypernetParam[];
  /** Records clearing every gradient. */
  zeroGrad(): void;
  /**
   * Records a running-statistics update (Welford, per column of u and of δ, per edited layer) from these
   * tokens: MEND's input normalisation. Call during training only; editing uses the frozen statistics.
   */
  updateNormStats(tokens: GradientTokens): void;
  /** Downloads config + tensors (parameters and normalisation statistics) for writing editor files. */
  save(): Promise<SavedHypernet>;
  destroy(): void;
}

export interface SavedHypernet {
  config: HypernetConfig;
  tensors: { name: string; shape: number[]; data: Float32Array }[];
}

interface CommonConfig {
  /** Edited layers by key, e.g. ['2.mlp.in', '2.mlp.down', ...] (defaultEditedLayers in layers.ts). */
  editedLayers: string[];
  /**
   * Initial step size α_m (per edited weight; learned). MEND uses 1e-4 for GPT-2 sizes; tiny models need a
   * larger one for edits to move the output at initialisation (defaultAlphaInit).
   */
  alphaInit: number;
  /** Added to the running std before dividing (MEND's normalisation). */
  normEps: number;
}

/** MEND (method.md "MEND"): per shape group two low-rank residual blocks over z = [ū; δ̄]. */
export interface MendConfig extends CommonConfig {
  method: 'mend';
  /** Rank r of U (D, r)·V: D = nIn + nOut. */
  rank: number;
}

/** IBKE (method.md "IBKE", choices marked "ours"). */
export interface IbkeConfig extends CommonConfig {
  method: 'ibke';
  /** d_h: width of the gradient tokens after projection, and of encoder/decoder. */
  dHidden: number;
  /** Rank of the projection P_grp = A·B (D → r_p → d_h). */
  projRank: number;
  /** l_m: learnable query vectors = latent sequence length per edit. */
  latentLength: number;
  /** d_z: latent width. */
  dLatent: number;
  nEnc: number;
  nDec: number;
  /** MLP hidden width inside encoder/decoder blocks. */
  dMlp: number;
  /** false = "IBKE without IB": z = μ always (train too); train with β = 0. */
  useIb: boolean;
  /** false = ablation without the scale factor: c ≡ 1. */
  useScale: boolean;
}

export type HypernetConfig = MendConfig | IbkeConfig;

/** The backbone's shape (what the edited weights' sizes follow from). */
export type BackboneShape = ModelShape;
