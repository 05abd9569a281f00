// Checks an edit request against a model before any editor runs: a bad request gets a sentence that says
// what to change, and the model is never touched.

import { EditRequestError, type EditRequest, type EditTarget } from './types.ts';

export const MAX_TARGET_TOKENS = 8;

export interface TokenizedRequest {
  prompt: number[];
  target: number[];
  /** Index of the subject's last token in `prompt` (ROME's key position). */
  subjectLast: number;
}

export function tokenizeRequest({ model, tokenizer }: EditTarget, r: EditRequest): TokenizedRequest {
  const prompt = r.prompt.trimEnd();
  if (prompt.trim() === '')
    throw new EditRequestError(
      'The edit prompt is empty: type a sentence to complete, e.g. "The capital of France is".',
    );
  if (r.subject.trim() === '')
    throw new EditRequestError('The subject is empty: mark which words of the prompt the fact is about.');
  const at = prompt.lastIndexOf(r.subject);
  if (at < 0)
    throw new EditRequestError(
      `The subject "${r.subject}" does not occur in the prompt "${prompt}": copy it exactly, with the same capitals.`,
    );
  const target = tokenizer.encode(r.target);
  if (target.length === 0)
    throw new EditRequestError(
      `The target "${r.target}" tokenizes to nothing: type the new answer, e.g. " Rome".`,
    );
  if (target.length > MAX_TARGET_TOKENS)
    throw new EditRequestError(
      `The target is ${target.length} tokens long; keep it to ${MAX_TARGET_TOKENS} or fewer.`,
    );
  // Tokenizers that start every text with a marker (Llama's <s>: prefixIds) get it here, as in training.
  const prefix = tokenizer.prefixIds ?? [];
  const ids = [...prefix, ...tokenizer.encode(prompt)];
  const limit = model.dims.nPositions;
  if (ids.length + target.length > limit) {
    throw new EditRequestError(
      `The prompt and target take ${ids.length + target.length} tokens; this model reads at most ${limit}. Shorten the prompt.`,
    );
  }
  // The subject's last token: the prompt's token count up to the end of the subject, minus one.
  const subjectLast = prefix.length + tokenizer.encode(prompt.slice(0, at + r.subject.length)).length - 1;
  return { prompt: ids, target, subjectLast: Math.max(0, Math.min(subjectLast, ids.length - 1)) };
}
