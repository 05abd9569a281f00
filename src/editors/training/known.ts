// "How many of these facts does the model know?" before training an editor on them: a record counts as known
// when the model's greedy next token after the prompt is the first token of the record's true answer. An
// editor trained on facts the model never knew learns to overwrite noise; the count tells the user before
// they spend the training time. Platform-free (Node CLI and the worker), batched top-1 on the GPU.

import type { LanguageModel } from '../../model/language-model.ts';
import type { TrainingRecord } from './dataset-file.ts';

export interface KnownCount {
  /** Records whose true answer is the model's top-1 next token. */
  known: number;
  /** Records checked: those with a true answer whose prompt ⊕ first answer token fits the context. */
  checked: number;
  /** Records without a true answer in the file (not checkable). */
  withoutAnswer: number;
}

/** Prompts per GPU batch. */
const CHUNK = 32;

export async function countKnownAnswers(
  model: LanguageModel,
  encode: (text: string) => number[],
  records: readonly TrainingRecord[],
  opts: { limit?: number; onProgress?: (done: number, total: number) => void; shouldStop?: () => void } = {},
): Promise<KnownCount> {
  const maxT = model.dims.nPositions;
  const items: { prompt: number[]; answer: number }[] = [];
  let withoutAnswer = 0;
  for (const r of records.slice(0, opts.limit ?? records.length)) {
    if (!r.groundTruth) {
      withoutAnswer++;
      continue;
    }
    const prompt = encode(r.prompt);
    const answer = encode(r.groundTruth)[0];
    if (answer === undefined || prompt.length === 0 || prompt.length + 1 > maxT) continue;
    items.push({ prompt, answer });
  }
  let known = 0;
  for (let i = 0; i < items.length; i += CHUNK) {
    opts.shouldStop?.();
    const chunk = items.slice(i, i + CHUNK);
    const top = await model.topNext(
      chunk.map((c) => c.prompt),
      1,
    );
    chunk.forEach((c, j) => (known += top[j][0].id === c.answer ? 1 : 0));
    opts.onProgress?.(Math.min(i + CHUNK, items.length), items.length);
  }
  return { known, checked: items.length, withoutAnswer };
}

/** "The model knows 12 of 500 checked true answers (2.4 %)." */
export function describeKnown(k: KnownCount): string {
  if (k.checked === 0)
    return k.withoutAnswer > 0
      ? 'The records give no true answers, so what the model knows of them cannot be checked.'
      : 'No record could be checked against the model.';
  const pct = ((100 * k.known) / k.checked).toFixed(1);
  return `The model knows ${k.known} of ${k.checked} checked true answers (${pct} %) as its top next token.`;
}
