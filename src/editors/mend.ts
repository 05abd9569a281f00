// MEND (Mitchell et al. 2022, "Fast Model Editing at Scale"; method.md "MEND"): a trained network maps the
// edit's per-token gradient factors (u_t, δ_t) of each edited layer to new ones; ΔW = −α_m Σ_t ũ_t δ̃_tᵀ.
// The network and its files: src/editors/hyper/ (mend-net.ts, files.ts).

import type { LanguageModel } from '../model/language-model.ts';
import { HypernetEditor, loadHypernet, type EditorFileContents } from './hyper/editor.ts';

export class MendEditor extends HypernetEditor {
  /** Loads <modelDir>/editors/mend/{config.json, editor.safetensors}; EditorWeightsError when they do not fit. */
  static load(model: LanguageModel, files: EditorFileContents): MendEditor {
    return new MendEditor('mend', model, loadHypernet('mend', model, files));
  }
}
