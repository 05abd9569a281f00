// The generation view's call: the same sampled continuation (prompt, temperature, top-p, seed) from the model
// without this edit and from the model now, one after the other (the engine does one thing at a time).

import { useApp } from '../index.ts';
import type { AppliedEdit } from '../types.ts';
import { beginTask, endTask } from './edit.ts';
import { getEngine } from './engine-ref.ts';

export const SAMPLE_TOKENS = 24;

export async function sampleBoth(
  edit: AppliedEdit,
  prompt: string,
): Promise<{ before: string; after: string } | null> {
  if (!(await beginTask({ kind: 'generate', label: 'Sampling…', cancellable: false }))) return null;
  try {
    const { sampling, seed } = useApp.getState();
    const input = { prompt, maxTokens: SAMPLE_TOKENS, seed, ...sampling };
    const before = await getEngine().call('sample', { ...input, without: edit.outcome.request });
    const after = await getEngine().call('sample', input);
    return { before: before.text, after: after.text };
  } finally {
    endTask();
  }
}
