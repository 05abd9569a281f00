// IBKE (Chen et al. 2025, "An Information-Theoretic Framework for Robust Large Language Model Editing"), as
// described in the paper, with the details it leaves open chosen by us (method.md "IBKE", marked "ours"): the
// edit's gradient tokens are encoded into a small latent (learnable queries, cross-attention), which a decoder
// turns into per-token factors and a scale factor: ΔW = −α_m Σ_t c_t ũ_t δ̃_tᵀ. Editing uses z = μ.
// The network and its files: src/editors/hyper/ (ibke-net.ts, files.ts).

import type { LanguageModel } from '../model/language-model.ts';
import { HypernetEditor, loadHypernet, type EditorFileContents } from './hyper/editor.ts';

export class IbkeEditor extends HypernetEditor {
  /** Loads <modelDir>/editors/ibke/{config.json, editor.safetensors}; EditorWeightsError when they do not fit. */
  static load(model: LanguageModel, files: EditorFileContents): IbkeEditor {
    return new IbkeEditor('ibke', model, loadHypernet('ibke', model, files));
  }
}
