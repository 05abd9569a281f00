// What the charts and metrics need from a model state: top-k next tokens, the target's probability and rank,
// teacher-forced argmax checks over a completion, and next-token distributions for KL. Batched on the GPU.

import { completionRows, makeBatch } from '../model/batch.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';
import { topK } from '../eval/metrics.ts';
import type { TokenProb } from './types.ts';

export interface ModelView {
  model: LanguageModel;
  tokenizer: TextTokenizer;
}

export interface StateReading {
  top: TokenProb[];
  /** Full next-token distribution (kept on the CPU for ranks and KL; V floats). */
  dist: Float32Array;
}

/** One forward pass: the full next-token distribution of each prompt, and its top-k (ties by lower id). */
export async function readStates(view: ModelView, prompts: number[][], k: number): Promise<StateReading[]> {
  const { model, tokenizer } = view;
  const dists = await model.nextTokenDistributions(prompts);
  return dists.map((d) => {
    const dist = Float32Array.from(d);
    return {
      dist,
      top: topK(dist, k).map((t) => ({ token: tokenizer.tokenString(t.id), id: t.id, prob: t.prob })),
    };
  });
}

/**
 * Teacher-forced argmax at each completion position: for prompt ⊕ completion, the model's argmax at the rows
 * that predict completion tokens. Returns one id array per pair.
 */
export async function teacherForcedArgmax(
  model: LanguageModel,
  pairs: { prompt: number[]; completion: number[] }[],
): Promise<number[][]> {
  if (pairs.length === 0) return [];
  const seqs = pairs.map((p) => [...p.prompt, ...p.completion]);
  const batch = makeBatch(seqs, model.dims.nPositions);
  const rows = completionRows(
    batch,
    pairs.map((p) => p.prompt.length),
  );
  const { probs } = await model.run(batch, rows, { readProbs: true });
  const V = model.dims.vocabSize;
  const out: number[][] = [];
  let r = 0;
  for (const p of pairs) {
    const ids: number[] = [];
    for (let j = 0; j < p.completion.length; j++, r++) {
      let best = 0;
      for (let v = 1; v < V; v++) if (probs![r * V + v] > probs![r * V + best]) best = v;
      ids.push(best);
    }
    out.push(ids);
  }
  return out;
}
