// UltraEdit (Gu et al. 2025, "UltraEdit: Training-, Subject-, and Memory-Free Lifelong Editing", arXiv 2505.14679;
// released code XiaojieGu/UltraEdit editor/ultraedit.py): no trained editor, no covariance. One forward and one
// backward on prompt ⊕ target give the per-token factors (u_t, δ_t) of each edited layer (the same capture MEND
// and IBKE use, hyper/capture.ts); at the answer tokens they update a running mean/std per layer shape (the
// "lifelong normalisation", kept for the editor's whole life, across edits), and the update is the closed-form
// ridge solution ΔW = (UᵀU + I)⁻¹ Uᵀ V with v_t = −lr·‖û_t‖²·δ̂_t (lifelong-math.ts ultraEditFactors).
// Edited layers: the MLP down projections of the upper half of the blocks (the code edits fc_out of GPT-J's
// blocks 18–26 of 28); on the 3-block fact-world model, blocks 1 and 2.
// Answer tokens: the rows whose next-token prediction is a target token (prompt length − 1 … length − 2). The
// code's mask selects label positions (labels ≠ −100); our capture rows are the predicting positions (ours).

import { GradientCapture } from './hyper/capture.ts';
import { layerKey } from './hyper/layers.ts';
import { RunningMeanStd, ultraEditFactors } from './lifelong-math.ts';
import { tokenizeRequest } from './request.ts';
import { checkNumber } from './settings.ts';
import type { LanguageModel, LinearRole } from '../model/language-model.ts';
import type { EditRequest, Editor, EditTarget, MethodSettings, Patch, WeightDelta } from './types.ts';

const ROLE: LinearRole = 'mlp.down';

export const ULTRAEDIT_DEFAULTS = {
  /**
   * Step size of v_t = −lr·‖û‖²·δ̂. The code uses 1e-6 for GPT-J's 16,384-wide fc_out; on fact-world v1's
   * validation split (20 edits, one at a time) 2e-3 barely edits (reliability 0.19), 0.03 gives 0.70 with
   * locality 0.81, 0.1 gives 0.78 but locality 0.43: we ship 0.02.
   */
  lr: 0.02,
  /** Edited blocks; null: the upper half, floor(L/2) … L − 1. */
  blocks: null as number[] | null,
};
export type UltraEditOptions = typeof ULTRAEDIT_DEFAULTS;

let patchCounter = 0;

export class UltraEditEditor implements Editor {
  readonly method = 'ultraedit' as const;
  readonly options: UltraEditOptions;
  private capture: { model: LanguageModel; capture: GradientCapture } | null = null;
  /** One running normaliser per (nIn, nOut) shape, as the code's shape_counter. */
  private readonly normalisers = new Map<string, RunningMeanStd>();
  private edits = 0;

  constructor(options: Partial<UltraEditOptions> = {}) {
    this.options = { ...ULTRAEDIT_DEFAULTS, ...options };
  }

  blocks(model: LanguageModel): number[] {
    const L = model.dims.nLayer;
    return (
      this.options.blocks ?? Array.from({ length: L - Math.floor(L / 2) }, (_, i) => Math.floor(L / 2) + i)
    );
  }

  async edit(target: EditTarget, request: EditRequest, settings: MethodSettings = {}): Promise<Patch> {
    const { model } = target;
    const req = tokenizeRequest(target, request);
    const lr = checkNumber('The UltraEdit step size', settings.lr, this.options.lr, 1e-9, 10);
    const blocks = this.blocks(model);
    if (this.capture?.model !== model) {
      this.capture?.capture.destroy();
      this.capture = {
        model,
        capture: new GradientCapture(
          model,
          blocks.map((b) => layerKey(b, ROLE)),
        ),
      };
    }
    const captured = await this.capture.capture.capture([{ prompt: req.prompt, target: req.target }]);
    // Rows of the (single) edit that predict a target token, among its kept positions 0 … len − 2.
    const first = req.prompt.length - 1;
    const N = req.target.length;
    const deltas: WeightDelta[] = [];
    const layers = [];
    for (const [i, g] of captured.layers.entries()) {
      const u = (await model.ctx.read(g.u, 0, g.tokens * g.nIn * 4)).slice(
        first * g.nIn,
        (first + N) * g.nIn,
      );
      const d = (await model.ctx.read(g.delta, 0, g.tokens * g.nOut * 4)).slice(
        first * g.nOut,
        (first + N) * g.nOut,
      );
      layers.push({ block: blocks[i], nIn: g.nIn, nOut: g.nOut, u, d });
    }
    // The code updates the normaliser with every module's tokens before it predicts any shift.
    for (const l of layers) {
      const norm = this.normaliser(l.nIn, l.nOut);
      const z = new Float32Array(N * (l.nIn + l.nOut));
      for (let t = 0; t < N; t++) {
        z.set(l.u.subarray(t * l.nIn, (t + 1) * l.nIn), t * (l.nIn + l.nOut));
        z.set(l.d.subarray(t * l.nOut, (t + 1) * l.nOut), t * (l.nIn + l.nOut) + l.nIn);
      }
      norm.update(z, N);
    }
    for (const l of layers) {
      const f = ultraEditFactors(l.u, l.d, N, l.nIn, l.nOut, this.normaliser(l.nIn, l.nOut), lr);
      const spec = model.linear(l.block, ROLE);
      deltas.push({ block: l.block, role: ROLE, param: spec.param, nIn: l.nIn, nOut: l.nOut, ...f });
    }
    this.edits++;
    return {
      id: `ultraedit${++patchCounter}`,
      method: 'ultraedit',
      request,
      deltas,
      info: {
        layers: blocks.join(','),
        tokens: N,
        lr,
        lossBefore: captured.loss,
        normalisedTokens: [...this.normalisers.values()][0]?.n ?? 0,
        editsSeen: this.edits,
      },
    };
  }

  destroy(): void {
    this.capture?.capture.destroy();
    this.capture = null;
  }

  private normaliser(nIn: number, nOut: number): RunningMeanStd {
    const key = `${nIn}x${nOut}`;
    let n = this.normalisers.get(key);
    if (!n) this.normalisers.set(key, (n = new RunningMeanStd(nIn + nOut)));
    return n;
  }
}
