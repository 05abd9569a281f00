// Held-out scores of a hypernetwork editor (method.md "Metrics"), each edit applied alone to the unedited model
// with real forward passes, teacher-forced over the target tokens:
//   reliability  mean over target positions of [argmax p'(· | q_e, o_e[<t]) = o_e[t]]
//   generality   the same on each rephrase with target o_e, mean over rephrases
//   locality     per locality probe, mean over its answer positions of [argmax_post = argmax_pre]
//   kl           mean KL(p_pre ‖ p_post) over the locality probes' positions
// each a mean over edits. Argmaxes come from the top-k kernel (k = 1) on the GPU; only ids come back.

import { klRows } from '../../gpu/kernels/kl-rows.ts';
import { topk } from '../../gpu/kernels/topk.ts';
import { makeBatch } from '../../model/batch.ts';
import type { LanguageModel } from '../../model/language-model.ts';
import type { GradientCapture } from '../hyper/capture.ts';
import type { Hypernet } from '../hyper/types.ts';
import { Workspace } from '../hyper/workspace.ts';
import type { Completion, TrainingEdit } from './data.ts';
import { completionRowsUnweighted } from './objective.ts';
import { BackbonePass, type SideCarSwap } from './pass.ts';

export interface EditScores {
  reliability: number;
  generality: number;
  locality: number;
  kl: number;
  edits: number;
}

export class EditorValidator {
  private readonly pre: BackbonePass;
  private readonly post: BackbonePass;
  private readonly ws: Workspace;

  constructor(
    private readonly model: LanguageModel,
    private readonly net: Hypernet,
    private readonly capture: GradientCapture,
    private readonly swap: SideCarSwap,
  ) {
    this.pre = new BackbonePass(model);
    this.post = new BackbonePass(model);
    this.ws = new Workspace(model.ctx, 'validate');
  }

  /** Scores over `edits` (at most `maxProbes` generality and locality probes each). */
  async evaluate(edits: TrainingEdit[], maxProbes = 8): Promise<EditScores> {
    const sum = { reliability: 0, generality: 0, locality: 0, kl: 0 };
    for (const e of edits) {
      const s = await this.scoreOne(e, maxProbes);
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += s[k];
    }
    const n = Math.max(edits.length, 1);
    return {
      reliability: sum.reliability / n,
      generality: sum.generality / n,
      locality: sum.locality / n,
      kl: sum.kl / n,
      edits: edits.length,
    };
  }

  private async scoreOne(e: TrainingEdit, maxProbes: number): Promise<Omit<EditScores, 'edits'>> {
    const { ctx, dims } = this.model;
    const V = dims.vocabSize;
    const gen = e.generality.slice(0, maxProbes);
    const loc = e.locality.slice(0, maxProbes);
    const tokens = await this.capture.capture([e.edit]);
    const factors = this.net.forward(tokens, { train: false });

    // Pre-edit: argmax and distribution at every locality answer position.
    const locBatch = makeBatch(loc.map(seq), dims.nPositions);
    const locRows = completionRowsUnweighted(locBatch, loc);
    const K = locRows.length;
    const preHead = this.pre.record(locBatch, locRows);
    const preIdx = this.ws.get('preIdx', K);
    topk(ctx, { values: preHead.probs, R: K, V, k: 1, outIndex: preIdx, outValue: this.ws.get('preVal', K) });

    // Post-edit: [edit, rephrases..., locality probes...].
    const all = [e.edit, ...gen, ...loc];
    const batch = makeBatch(all.map(seq), dims.nPositions);
    const rows = completionRowsUnweighted(batch, all);
    const R = rows.length;
    this.swap.apply(factors);
    let postHead;
    try {
      postHead = this.post.record(batch, rows);
    } finally {
      this.swap.restore();
    }
    const postIdx = this.ws.get('postIdx', R);
    topk(ctx, { values: postHead.probs, R, V, k: 1, outIndex: postIdx, outValue: this.ws.get('postVal', R) });
    const firstLoc = R - K; // locality rows come last, in the same order as the pre-edit rows
    const kl = this.ws.get('kl', K);
    klRows(ctx, {
      rows: this.ws.write(
        'klRows',
        Uint32Array.from({ length: K }, (_, k) => firstLoc + k),
      ),
      weights: this.ws.write('klWeights', new Float32Array(K).fill(1)),
      q: preHead.probs,
      probs: postHead.probs,
      out: kl,
      K,
      V,
    });
    const post = await ctx.readU32(postIdx, 0, R * 4);
    const pre = await ctx.readU32(preIdx, 0, K * 4);
    const klRow = await ctx.read(kl, 0, K * 4);

    // Walk the rows in order: each completion owns target.length consecutive rows.
    let at = 0;
    const hits = (c: Completion, want: (t: number, row: number) => number) => {
      let h = 0;
      c.target.forEach((_, t) => (h += post[at + t] === want(t, at + t) ? 1 : 0));
      at += c.target.length;
      return h / c.target.length;
    };
    const reliability = hits(e.edit, (t) => e.edit.target[t]);
    const generality = mean(gen.map((c) => hits(c, (t) => c.target[t])));
    let klAt = 0;
    const klPerProbe: number[] = [];
    const locality = mean(
      loc.map((c) => {
        klPerProbe.push(mean(Array.from(klRow.subarray(klAt, klAt + c.target.length))));
        klAt += c.target.length;
        return hits(c, (_, row) => pre[row - firstLoc]);
      }),
    );
    return { reliability, generality, locality, kl: mean(klPerProbe) };
  }

  destroy(): void {
    this.pre.destroy();
    this.post.destroy();
    this.ws.destroy();
  }
}

function seq(c: Completion): number[] {
  return [...c.prompt, ...c.target];
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
