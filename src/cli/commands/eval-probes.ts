// The GPU side of src/eval/probing.ts's ProbeModel: teacher-forced argmax and p(token) over many prompt ⊕
// completion pairs in batches, greedy answers, and ‖W‖ of the unedited weights for the update size.

import type { Gpt2Model } from '../../model/gpt2/model.ts';
import { completionRows, makeBatch } from '../../model/gpt2/batch.ts';
import type { TextTokenizer } from '../../model/tokenizer.ts';
import type { Forced, ProbeModel } from '../../eval/probing.ts';
import { frobenius } from '../../eval/update-size.ts';

/** Sequences per forward pass: large enough to amortise a dispatch, small enough for a CPU adapter's buffers. */
const CHUNK = 96;

export function gpuProbeModel(model: Gpt2Model, tokenizer: TextTokenizer): ProbeModel {
  return {
    encode: (text) => tokenizer.encode(text),
    greedy: (prompt, n) =>
      model.generate(prompt, Math.max(1, Math.min(n, model.dims.nPositions - prompt.length))),
    async force(pairs) {
      const out: Forced[] = [];
      const V = model.dims.vocabSize;
      for (let start = 0; start < pairs.length; start += CHUNK) {
        const chunk = pairs.slice(start, start + CHUNK);
        const batch = makeBatch(
          chunk.map((p) => [...p.prompt, ...p.completion]),
          model.dims.nPositions,
        );
        const rows = completionRows(
          batch,
          chunk.map((p) => p.prompt.length),
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

/**
 * ‖W‖_F of every block matrix, read now: call before any edit is applied (the patch stack writes into the
 * weights). Returns a lookup that throws for a matrix it did not read.
 */
export async function weightNorms(model: Gpt2Model): Promise<(param: string) => number> {
  const norms = new Map<string, number>();
  for (const [name, t] of model.params.tensors)
    if (t.shape.length === 2 && name.startsWith('h.'))
      norms.set(name, frobenius(await model.ctx.read(t.buffer, 0, t.size * 4)));
  return (param) => {
    const n = norms.get(param);
    if (n === undefined) throw new RangeError(`No weight norm for ${param}: it is not a block matrix.`);
    return n;
  };
}
