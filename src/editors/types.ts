// One interface for every editing method (FT-L, ROME, MEND, IBKE): an editor turns an edit request into a
// Patch: the weight changes as factors, enough to apply it (as a side-car), revert it and export it.

import type { LanguageModel, LinearRole } from '../model/language-model.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';

// Request types: what a user asks an editor for. Plain data (they cross the worker boundary and appear in CLI
// JSON); the engine re-exports them.

export type MethodName = 'ibke' | 'mend' | 'rome' | 'ft' | 'ultraedit' | 'alphaedit';

/** One edit the user asked for. `subject` must occur in `prompt`; `target` usually starts with a space. */
export interface EditRequest {
  prompt: string;
  subject: string;
  target: string;
}

/** Per-method settings; every field optional, engine defaults documented in src/editors. */
export interface MethodSettings {
  /** FT-L: Adam steps, learning rate, L-infinity radius, layer. */
  steps?: number;
  lr?: number;
  epsilon?: number;
  layer?: number;
  /** MEND / IBKE: multiplier on the learned step size. */
  stepScale?: number;
  /** MEND / IBKE in sequences: damp directions earlier edits used (μ, smaller protects more; sequential-guard.ts). */
  protectEarlier?: number;
  /** MEND / IBKE: scale a patch down so no matrix moves by more than this fraction of its norm. */
  maxUpdate?: number;
}

/** Every key of MethodSettings, for inputs that must refuse the others (a CLI's --settings). */
export const METHOD_SETTING_KEYS: readonly (keyof MethodSettings)[] = [
  'steps',
  'lr',
  'epsilon',
  'layer',
  'stepScale',
  'protectEarlier',
  'maxUpdate',
];

/**
 * A change to one linear layer, (block, role), in logical layout W (nIn, nOut), y = x·W (whatever the weight's
 * storage order): ΔW = leftᵀ · right with left (rank, nIn) and right (rank, nOut), i.e. Σ_r left_r ⊗ right_r.
 * MEND/IBKE produce rank = number of tokens; ROME rank 1. FT-L's ΔW is dense: it also comes as `dense`
 * (nIn, nOut), which PatchStack applies as a dense side-car term, and left/right hold its exact factorisation
 * (rank = min(nIn, nOut), identity on the short side) for code that reads factors (update sizes).
 */
export interface WeightDelta {
  block: number;
  role: LinearRole;
  /** The weight's name in the model's checkpoint (display, per-matrix norms). */
  param: string;
  nIn: number;
  nOut: number;
  rank: number;
  left: Float32Array;
  right: Float32Array;
  dense?: Float32Array;
}

export interface Patch {
  id: string;
  method: MethodName;
  request: EditRequest;
  deltas: WeightDelta[];
  /** Method-specific numbers worth showing (steps taken, final loss, ‖ΔW‖...). */
  info: Record<string, number | string>;
}

/** What an editor works with: the model (on the GPU) and its tokenizer. */
export interface EditTarget {
  model: LanguageModel;
  tokenizer: TextTokenizer;
}

export interface Editor {
  readonly method: MethodName;
  /** Computes the patch for one edit on the model as it is now (earlier patches applied). Does not apply it. */
  edit(target: EditTarget, request: EditRequest, settings?: MethodSettings): Promise<Patch>;
  /** Several edits in one patch, where the method allows (MEND, IBKE, FT-L). */
  editBatch?(target: EditTarget, requests: EditRequest[], settings?: MethodSettings): Promise<Patch>;
  /** Frees the editor's GPU buffers (hypernetworks); the model is not the editor's to free. */
  destroy?(): void;
}

export class EditRequestError extends Error {
  override name = 'EditRequestError';
}

export class EditorWeightsError extends Error {
  override name = 'EditorWeightsError';
}
