// The GPU side of src/eval/probing.ts's ProbeModel: teacher-forced argmax and p(token) over many prompt ⊕
// completion pairs in batches, greedy answers, and ‖W‖ of the unedited weights for the update size.

import { completionRows, makeBatch } from '../model/batch.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';
import type { Forced, ProbeModel } from '../eval/probing.ts';
import { frobenius } from '../eval/update-size.ts';

/** Sequences per forward pass: large enough to amortise a dispatch, small enough for a CPU adapter's buffers. */
const CHUNK = 96;

export function gpuProbeModel(model: LanguageModel, tokenizer: TextTokenizer): ProbeModel {
  const prefix = tokenizer.prefixIds ?? [];
  return {
    // As tokenizeRequest: a tokenizer's start marker (Llama's <s>) leads every prompt.
    encode: (text) => tokenizer.encode(text),
    greedy: (prompt, n) =>
      model.generate(
        [...prefix, ...prompt],
        Math.max(1, Math.min(n, model.dims.nPositions - prompt.length - prefix.length)),
      ),
    async force(pairs) {
      const out: Forced[] = [];
      const V = model.dims.vocabSize;
      for (let start = 0; start < pairs.length; start += CHUNK) {
        const chunk = pairs.slice(start, start + CHUNK);
        const batch = makeBatch(
          chunk.map((p) => [...prefix, ...p.prompt, ...p.completion]),
          model.dims.nPositions,
        );
        const rows = completionRows(
          batch,
          chunk.map((p) => prefix.length + p.prompt.length),
        );
        const { probs } = await model.run(batch, rows, { readProbs: true });
        let r = 0;
        for (const p of chunk) {
          const predicted: number[] = [];
          const ps: number[] = [];
          for (let j = 0; j < p.completion.length; j++, r++) {
            const row = probs!.subarray(r * V, (r + 1) * V);
            let best = 0;
            for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v;
            predicted.push(best);
            ps.push(row[p.completion[j]]);
          }
          out.push({ predicted, probs: ps });
        }
      }
      return out;
    },
  };
}

/** ‖W‖_F of every linear weight, by checkpoint name (the base weights: edits live in the side-car). */
export async function weightNorms(model: LanguageModel): Promise<(param: string) => number> {
  const norms = new Map<string, number>();
  for (const spec of model.linears) norms.set(spec.param, frobenius(await model.readParameter(spec.param)));
  return (param) => {
    const n = norms.get(param);
    if (n === undefined)
      throw new RangeError(`No weight norm for ${param}: it is not a linear layer's weight.`);
    return n;
  };
}
