// The per-token gradient (method.md "The per-token gradient"): one forward on prompt ⊕ target and one backward
// that stops at the lowest edited layer give u_t (a layer's input) and δ_t = ∂L_e/∂y_t at every position, so
// ∂L_e/∂W = Σ_t u_t δ_tᵀ without ever forming the dense gradient. Each edit's loss is its own mean NLL over
// its target tokens (edits in one batch do not dilute each other's δ, so the normalisation statistics hold for
// any batch size). Kept positions: 0 .. len − 2 of each sequence (the last token predicts nothing, so its δ is
// 0 in every layer); padding rows are never copied.

import { completionRows, makeBatch } from '../../model/batch.ts';
import { isMlpRole, type LanguageModel, type LinearRole } from '../../model/language-model.ts';
import { editedShape, layerKey, type EditedWeight } from './layers.ts';
import type { GradientLayer, GradientTokens } from './types.ts';
import { Workspace } from './workspace.ts';

export interface TokenizedEdit {
  prompt: number[];
  target: number[];
}

export interface CapturedTokens extends GradientTokens {
  /** Σ over edits of each edit's mean NLL of its target, before the edit. */
  loss: number;
}

export class GradientCapture {
  private readonly ws: Workspace;
  private readonly weights: EditedWeight[];

  constructor(
    private readonly model: LanguageModel,
    readonly editedLayers: readonly string[],
  ) {
    this.ws = new Workspace(model.ctx, 'capture');
    this.weights = editedLayers.map((key) => editedShape(model, key));
  }

  /** Runs the model on each prompt ⊕ target and copies u, δ of the edited layers (edit-major rows). */
  async capture(edits: TokenizedEdit[]): Promise<CapturedTokens> {
    const ctx = this.model.ctx;
    const batch = makeBatch(
      edits.map((e) => [...e.prompt, ...e.target]),
      this.model.dims.nPositions,
    );
    const rows = completionRows(
      batch,
      edits.map((e) => e.prompt.length),
      edits.length,
    );
    const editTokens = batch.lengths.map((len) => len - 1);
    const N = editTokens.reduce((a, b) => a + b, 0);
    const layers: GradientLayer[] = this.weights.map((w, i) => ({
      key: w.key,
      nIn: w.nIn,
      nOut: w.nOut,
      tokens: N,
      u: this.ws.get(`u.${i}`, N * w.nIn),
      delta: this.ws.get(`delta.${i}`, N * w.nOut),
    }));
    const byLinear = new Map<string, GradientLayer>();
    this.weights.forEach((w, i) => byLinear.set(w.key, layers[i]));
    const onLinear = (block: number, role: LinearRole, u: GPUBuffer, delta: GPUBuffer) => {
      const g = byLinear.get(layerKey(block, role));
      if (!g) return;
      // Compact each sequence's kept rows; the model's buffers are reused later in the pass, so copy now.
      let at = 0;
      editTokens.forEach((n, b) => {
        const from = b * batch.T;
        ctx.copy(u, from * g.nIn * 4, g.u, at * g.nIn * 4, n * g.nIn * 4);
        ctx.copy(delta, from * g.nOut * 4, g.delta, at * g.nOut * 4, n * g.nOut * 4);
        at += n;
      });
    };
    const { loss } = await this.model.run(batch, rows, {
      backward: {
        stopLayer: Math.min(...this.weights.map((w) => w.block)),
        stopAfterMlp: this.weights.every((w) => isMlpRole(w.role)),
        onLinear,
      },
    });
    return { layers, editTokens, loss };
  }

  destroy(): void {
    this.ws.destroy();
  }
}
