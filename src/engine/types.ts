// Plain-data types that cross the worker boundary and appear in CLI JSON. No GPU objects here.

import type { EditRequest, MethodName } from '../editors/types.ts';
import type { WeightDtype } from '../model/quant/apply.ts';
import type { DtypeOption } from '../model/quant/choose.ts';

// The request types live with the editors (src/editors/types.ts); re-exported for the worker and the app.
export type { EditRequest, MethodName, MethodSettings } from '../editors/types.ts';
export { METHOD_SETTING_KEYS } from '../editors/types.ts';
// The weight formats a model can be loaded in (src/model/quant/apply.ts), and what each costs (choose.ts).
export type { WeightDtype } from '../model/quant/apply.ts';
export type { DtypeOption } from '../model/quant/choose.ts';

/** The methods the engine offers, in display order (AlphaEdit is implemented but withdrawn: no measured gain). */
export const OFFERED_METHODS: readonly MethodName[] = ['ibke', 'mend', 'rome', 'ft', 'ultraedit'];

export interface TokenProb {
  token: string;
  id: number;
  prob: number;
}

/** Where a model comes from; a hub source with `file` is that GGUF file of the repo, a local one may be a GGUF file. */
export type ModelSource =
  | { kind: 'embedded'; name: 'fact-world' | 'fact-world-v2' }
  | { kind: 'hub'; repoId: string; revision?: string; endpoint?: string; file?: string }
  | { kind: 'local'; label: string };

export interface ModelInfo {
  source: ModelSource;
  name: string;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  nPositions: number;
  vocabSize: number;
  parameterCount: number;
  /** Methods with trained editors / caches available for this model. */
  methods: MethodName[];
  /** Editor files next to the model that were refused (another model's editor...), one sentence each. */
  editorNotes?: string[];
  /** 'gpt2', 'llama', 'qwen2' or 'qwen3' (src/model/factory.ts summarizeCheckpoint). Absent from older hosts. */
  architecture?: string;
  /** How the weights were stored in the files: 'F32', 'F16', 'BF16' or 'mixed'. */
  dtype?: string;
  /** Bytes the parameters take on the GPU, in the format they were loaded in (`weightDtype`). */
  gpuWeightBytes?: number;
  /** The format the weights were loaded in (the load's dtype option; absent from older hosts = f32). */
  weightDtype?: WeightDtype;
  /** Every dtype this model could be loaded in on this adapter, with its GPU bytes and why one is refused. */
  weightOptions?: WeightOption[];
  /** Size of the weight files as downloaded or read (all shards together). */
  fileBytes?: number;
}

/** One way to load a model (src/engine/weight-options.ts): chooseDtype's verdict plus the exact weight bytes. */
export interface WeightOption extends DtypeOption {
  /** Bytes of the parameters alone in this dtype (the weight plan's buffers; gpuBytes adds one edit's activations). */
  weightBytes: number;
}

/** The dtypes a model can be loaded in on this adapter, and the one to pick by default (absent: none fits). */
export interface WeightChoice {
  options: WeightOption[];
  default?: WeightDtype;
  why: string;
}

export interface ProbeReading {
  text: string;
  /** Top-k next tokens before and after the edit. */
  before: TokenProb[];
  after: TokenProb[];
  /** p(first target token) and its rank (1 = top), before and after. */
  target?: { token: string; probBefore: number; probAfter: number; rankBefore: number; rankAfter: number };
  /** Teacher-forced: does the model now produce the expected tokens (gen: the target; loc: its old answer)? */
  success: boolean;
  kl?: number;
}

export interface EditMetrics {
  reliability: number;
  generality: number;
  locality: number;
  kl: number;
  /** Honest scores (issue 13): every target token right (1/0; generality: fraction of probes). */
  reliabilityExact?: number;
  generalityExact?: number;
  /** The unedited model's token accuracy on the same probes: what reliability/generality are worth above. */
  reliabilityFloor?: number;
  generalityFloor?: number;
  /** max over the patch's matrices of ‖ΔW‖_F / ‖W‖_F. */
  updateSize?: number;
}

export interface EditSite {
  /** Checkpoint names of the changed matrices, in block order. */
  weights: string[];
  /** ROME: the token whose key the update is keyed on ('subject_last' | 'last'). */
  keyToken?: string;
  /** ROME: where the layer and key token come from (rome-site.json's causal trace, or the default). */
  source?: string;
}

export interface EditOutcome {
  editId: string;
  method: MethodName;
  latencyMs: number;
  request: EditRequest;
  prompt: ProbeReading;
  gen: ProbeReading[];
  loc: ProbeReading[];
  metrics: EditMetrics;
  /** Where the patch changed the model: the weights it touches and, for ROME, the key token and why there. */
  site?: EditSite;
  /** Greedy continuation of the edit prompt (~20 tokens), before and after. */
  continuation: { before: string; after: string };
}
