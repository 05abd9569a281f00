// The post-edit training loss of the hypernetwork editors (method.md "MEND" training, "IBKE" item 4) and its
// gradient with respect to the editor's factors, through the edited backbone:
//   L = λ_rel·NLL(o_e | q_e) + λ_gen·NLL(o_e | q_g) + λ_loc·KL(p_pre(·|q_l) ‖ p_post(·|q_l))
// each a mean over the batch's edits of a per-edit mean over target (answer) positions. With ΔW_m = leftᵀ·right
// added into W_m, G_m = ∂L/∂ΔW_m = Σ_t u'_t δ'_tᵀ = U'ᵀ·Δ' over the post-edit batch (captured as the backward
// reaches layer m), then ∂L/∂left = right·G_mᵀ and ∂L/∂right = left·G_m (src/editors/hyper/factors.ts).

import { klRows } from '../../gpu/kernels/kl-rows.ts';
import { matmul } from '../../gpu/kernels/matmul.ts';
import { softTargetBackward } from '../../gpu/kernels/soft-targets.ts';
import { makeBatch, type HeadRow, type TokenBatch } from '../../model/batch.ts';
import { isMlpRole, type LanguageModel, type LinearRole } from '../../model/language-model.ts';
import { factorGradients } from '../hyper/factors.ts';
import { editedShape, layerKey, type EditedWeight } from '../hyper/layers.ts';
import type { FactorGradient, FactorOutput } from '../hyper/types.ts';
import { Workspace } from '../hyper/workspace.ts';
import type { Completion } from './data.ts';
import { BackbonePass, SideCarSwap } from './pass.ts';
import type { StepSample } from './sampler.ts';

export interface LossWeights {
  rel: number;
  gen: number;
  loc: number;
}

/** Unweighted terms (null: weight 0, not computed) and the weighted total. */
export interface LossTerms {
  rel: number | null;
  gen: number | null;
  loc: number | null;
  total: number;
}

export interface RecordedObjective {
  /** ∂L/∂left, ∂L/∂right per edited weight (recorded; valid once submitted). Empty without backward. */
  dFactors: FactorGradient[];
  /** Submits everything recorded so far and reads the loss terms. */
  read(): Promise<LossTerms>;
}

type Group = 'rel' | 'gen' | 'loc';

export class PostEditObjective {
  private readonly pre: BackbonePass;
  private readonly post: BackbonePass;
  private readonly ws: Workspace;
  private readonly edited: EditedWeight[];

  constructor(
    private readonly model: LanguageModel,
    readonly editedLayers: readonly string[],
    private readonly swap: SideCarSwap,
  ) {
    this.pre = new BackbonePass(model);
    this.post = new BackbonePass(model);
    this.ws = new Workspace(model.ctx, 'objective');
    this.edited = editedLayers.map((key) => editedShape(model, key));
  }

  /** Allocates for batches of up to `edits` edits with sequences of up to T tokens (no growth afterwards). */
  reserve(edits: number, T: number): void {
    this.pre.reserve(edits, T, edits * T);
    this.post.reserve(3 * edits, T, 3 * edits * T);
  }

  /**
   * Records the pre-edit forward on the locality probes (soft targets), W += ΔW, the post-edit forward (and
   * backward with G_m capture), the restore of W, and (with backward) the factor gradients.
   */
  record(
    samples: StepSample[],
    factors: readonly FactorOutput[],
    w: LossWeights,
    backward: boolean,
  ): RecordedObjective {
    const { ctx, dims } = this.model;
    const E = samples.length;
    const groups = (['rel', 'gen', 'loc'] as const).filter((g) => w[g] > 0);
    if (groups.length === 0) throw new RangeError('The loss has no term: give λ_rel, λ_gen or λ_loc > 0.');
    const pick = (g: Group, s: StepSample): Completion =>
      g === 'rel' ? s.edit : g === 'gen' ? s.generality : s.locality;
    const seqs = groups.flatMap((g) => samples.map((s) => pick(g, s)));
    const batch = makeBatch(
      seqs.map((c) => [...c.prompt, ...c.target]),
      dims.nPositions,
    );
    // Head rows: NLL rows carry λ_g/(n·E); locality rows carry weight 0 (their gradient is the soft target's).
    const rows: HeadRow[] = [];
    const groupRows = new Map<Group, number[]>();
    const klRowIdx: number[] = [];
    const klWeights: number[] = [];
    seqs.forEach((c, b) => {
      const g = groups[Math.floor(b / E)];
      const n = c.target.length;
      for (let t = c.prompt.length - 1; t < c.prompt.length + n - 1; t++) {
        if (!groupRows.has(g)) groupRows.set(g, []);
        groupRows.get(g)!.push(rows.length);
        if (g === 'loc') {
          klRowIdx.push(rows.length);
          klWeights.push(w.loc / (n * E));
        }
        const target = batch.ids[b * batch.T + t + 1];
        rows.push({
          row: b * batch.T + t,
          target: g === 'loc' ? 0 : target,
          weight: g === 'loc' ? 0 : w[g] / (n * E),
        });
      }
    });

    // Pre-edit next-token distributions at the locality rows: the soft targets q (K, V).
    const K = klRowIdx.length;
    let q: GPUBuffer | null = null;
    if (K > 0) {
      const locSeqs = samples.map((s) => s.locality);
      const locBatch = makeBatch(
        locSeqs.map((c) => [...c.prompt, ...c.target]),
        dims.nPositions,
      );
      q = this.pre.record(locBatch, completionRowsUnweighted(locBatch, locSeqs)).probs;
    }
    const klRowsBuf = this.ws.write('klRows', Uint32Array.from(klRowIdx));
    const klW = this.ws.write('klWeights', Float32Array.from(klWeights));
    const klOut = this.ws.get('klOut', Math.max(K, 1));
    const G = this.edited.map((e, i) => this.ws.get(`G.${i}`, e.nIn * e.nOut));
    const byLinear = new Map(this.edited.map((e, i) => [e.key, i]));
    const V = dims.vocabSize;

    this.swap.apply(factors);
    let head;
    try {
      head = this.post.record(batch, rows, {
        backward: backward
          ? {
              stopLayer: Math.min(...this.edited.map((e) => e.block)),
              stopAfterMlp: this.edited.every((e) => isMlpRole(e.role)),
              onHeadGradient: (h) => {
                if (K > 0)
                  softTargetBackward(ctx, {
                    rows: klRowsBuf,
                    weights: klW,
                    q: q!,
                    probs: h.probs,
                    dlogits: h.dlogits,
                    K,
                    V,
                  });
              },
              onLinear: (block: number, role: LinearRole, u: GPUBuffer, delta: GPUBuffer) => {
                const i = byLinear.get(layerKey(block, role));
                if (i === undefined) return;
                const e = this.edited[i];
                // G_m (nIn, nOut) = Uᵀ (nIn, B·T) · Δ (B·T, nOut); padding rows have δ = 0.
                matmul(ctx, {
                  a: u,
                  b: delta,
                  out: G[i],
                  M: e.nIn,
                  N: e.nOut,
                  K: batch.B * batch.T,
                  transA: true,
                });
              },
            }
          : undefined,
      });
    } finally {
      this.swap.restore();
    }
    // The head's probs survive the backward (dlogits overwrites the logits): the KL value comes from them.
    if (K > 0) klRows(ctx, { rows: klRowsBuf, weights: klW, q: q!, probs: head.probs, out: klOut, K, V });

    const dFactors: FactorGradient[] = [];
    if (backward) {
      factors.forEach((f) => {
        const i = this.edited.findIndex((e) => e.key === f.key);
        const d = {
          key: f.key,
          dLeft: this.ws.get(`dLeft.${i}`, f.rank * f.nIn),
          dRight: this.ws.get(`dRight.${i}`, f.rank * f.nOut),
        };
        factorGradients(ctx, f, G[i], d);
        dFactors.push(d);
      });
    }
    const R = rows.length;
    const losses = head.losses;
    const read = async (): Promise<LossTerms> => {
      const perRow = await ctx.read(losses, 0, R * 4);
      const kl = K > 0 ? await ctx.read(klOut, 0, K * 4) : new Float32Array();
      const sum = (idx: number[] | undefined, at: ArrayLike<number>) =>
        (idx ?? []).reduce((s, r) => s + at[r], 0);
      const terms: LossTerms = { rel: null, gen: null, loc: null, total: 0 };
      for (const g of groups) {
        const weighted =
          g === 'loc' ? Array.from(kl).reduce((a, b) => a + b, 0) : sum(groupRows.get(g), perRow);
        terms[g] = weighted / w[g];
        terms.total += weighted;
      }
      return terms;
    };
    return { dFactors, read };
  }

  destroy(): void {
    this.pre.destroy();
    this.post.destroy();
    this.ws.destroy();
  }
}

/** Rows predicting each target token, weight 0 (only the probabilities are wanted). */
export function completionRowsUnweighted(batch: TokenBatch, seqs: Completion[]): HeadRow[] {
  const rows: HeadRow[] = [];
  seqs.forEach((c, b) => {
    for (let t = c.prompt.length - 1; t < c.prompt.length + c.target.length - 1; t++)
      rows.push({ row: b * batch.T + t, target: 0, weight: 0 });
  });
  return rows;
}
