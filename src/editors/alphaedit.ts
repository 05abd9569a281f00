// AlphaEdit (Fang et al., "AlphaEdit: Null-Space Constrained Knowledge Editing", ICLR 2025; released code
// jianghoucheng/AlphaEdit, AlphaEdit_main.py and experiments/evaluate.py): ROME's target (the same contexts, keys
// and δ optimisation, src/editors/rome.ts) written into the MLP down projection with the update projected onto
// the null space of the preserved keys:
//   P = Σ v vᵀ over the eigenvectors of the key covariance C with small eigenvalues (λ < τ·λ_max; the code uses an
//       absolute threshold 2e-2 on GPT-2 XL's C — ours is relative, since key scales differ between models),
//   ΔW = (P(KᵀK + C_p) + λI)⁻¹ P Kᵀ R   (lifelong-math.ts alphaEditFactors),
// with K the context-averaged key k̄ (the code's compute_ks), R = v* − v_b the residual at the bare prompt (the
// code's zs − cur_zs; one layer, so nothing is spread over layers), and C_p = Σ kkᵀ of this editor's earlier
// edits (the code's cache_c, grown after every edit of a sequence). The ridge λ is relative to mean(diag C).
// Earlier edits: C_p keeps the keys of every edit this editor computed while edits stay applied on its layer;
// when no edit is left there (everything undone, or one-at-a-time evaluation) it starts again from zero. Undoing
// only some edits leaves their keys in C_p, which makes later edits more conservative, never less local.

import { ROME_ROLE } from './rome-covariance.ts';
import { addKeyOuterProducts, alphaEditFactors, nullSpaceProjector } from './lifelong-math.ts';
import { norm } from './rome-math.ts';
import type { RomeEditor } from './rome.ts';
import type { EditRequest, Editor, EditTarget, MethodSettings, Patch } from './types.ts';

export const ALPHAEDIT_DEFAULTS = {
  /** Keep eigen-directions of C with λ < nullspaceThreshold·λ_max. */
  nullspaceThreshold: 1e-2,
  /** λ = l2Relative·mean(diag C). */
  l2Relative: 1e-2,
};
export type AlphaEditOptions = typeof ALPHAEDIT_DEFAULTS;

let patchCounter = 0;

export class AlphaEditEditor implements Editor {
  readonly method = 'alphaedit' as const;
  readonly options: AlphaEditOptions;
  private projector: { P: Float64Array; kept: number } | null = null;
  private cacheC: Float64Array | null = null;
  private cached = 0;

  constructor(
    readonly rome: RomeEditor,
    options: Partial<AlphaEditOptions> = {},
  ) {
    this.options = { ...ALPHAEDIT_DEFAULTS, ...options };
  }

  /** P from C's eigendecomposition, once per editor (O(n³) on the CPU: about a second for n = 512). */
  private null(): { P: Float64Array; kept: number } {
    const { cov, n } = this.rome.covariance;
    this.projector ??= nullSpaceProjector(cov, n, this.options.nullspaceThreshold);
    return this.projector;
  }

  async edit(target: EditTarget, request: EditRequest, settings: MethodSettings = {}): Promise<Patch> {
    const t = await this.rome.computeTarget(target, request, settings);
    const { cov, n } = this.rome.covariance;
    const spec = target.model.linear(t.layer, ROME_ROLE);
    if (this.cacheC === null || target.model.sideCar.terms(t.layer, ROME_ROLE).length === 0) {
      this.cacheC = new Float64Array(n * n);
      this.cached = 0;
    }
    let trace = 0;
    for (let i = 0; i < n; i++) trace += cov[i * n + i];
    const lambda = (this.options.l2Relative * trace) / n;
    const { P, kept } = this.null();
    const f = alphaEditFactors(P, this.cacheC, t.keyMean, t.delta, 1, n, spec.nOut, lambda);
    addKeyOuterProducts(this.cacheC, t.keyMean, 1, n);
    this.cached++;
    // How much of δ reaches the bare prompt: k_bᵀ ΔW = (k_b · left) right.
    let reach = 0;
    for (let i = 0; i < n; i++) reach += t.keyBare[i] * f.left[i];
    return {
      id: `alphaedit${++patchCounter}`,
      method: 'alphaedit',
      request,
      deltas: [
        {
          block: t.layer,
          role: ROME_ROLE,
          param: spec.param,
          nIn: spec.nIn,
          nOut: spec.nOut,
          rank: 1,
          left: f.left,
          right: f.right,
        },
      ],
      info: {
        ...t.info,
        nullSpaceDims: kept,
        protectedEdits: this.cached - 1,
        reach,
        leftNorm: norm(f.left),
      },
    };
  }
}
