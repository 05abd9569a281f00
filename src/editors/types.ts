// One interface for every editing method (FT-L, ROME, MEND, IBKE): an editor turns an edit request into a
// Patch: the weight changes as factors, enough to apply it, revert it and export it.

import type { EditRequest, MethodName, MethodSettings } from '../engine/types.ts';
import type { Gpt2Model } from '../model/gpt2/model.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';

/**
 * A change to one weight matrix W (nIn, nOut) (Conv1D layout, y = x W + b):
 * ΔW = leftᵀ · right with left (rank, nIn) and right (rank, nOut), i.e. Σ_r left_r ⊗ right_r.
 * MEND/IBKE produce rank = number of tokens; ROME rank 1; FT-L stores its dense ΔW as rank = nIn with
 * left = I (so every patch has the same form and the same apply/revert code).
 */
export interface WeightDelta {
  param: string;
  nIn: number;
  nOut: number;
  rank: number;
  left: Float32Array;
  right: Float32Array;
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
  model: Gpt2Model;
  tokenizer: TextTokenizer;
}

export interface Editor {
  readonly method: MethodName;
  /** Computes the patch for one edit on the model as it is now (earlier patches applied). Does not apply it. */
  edit(target: EditTarget, request: EditRequest, settings?: MethodSettings): Promise<Patch>;
  /** Several edits in one patch, where the method allows (MEND, IBKE, FT-L). */
  editBatch?(target: EditTarget, requests: EditRequest[], settings?: MethodSettings): Promise<Patch>;
}

export class EditRequestError extends Error {
  override name = 'EditRequestError';
}

export class EditorWeightsError extends Error {
  override name = 'EditorWeightsError';
}
