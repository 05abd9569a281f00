import { describe, expect, it } from 'vitest';
import type { EditOutcome } from '../../engine/types.ts';
import { asSessionEdit, forgetEdits, recallEdit, rememberEdit } from './edit-cache.ts';

const outcome = (id: string, target: string): EditOutcome => ({
  editId: id,
  method: 'ft',
  latencyMs: 12,
  request: { prompt: 'The capital of France is', subject: 'France', target },
  prompt: { text: 'The capital of France is', before: [], after: [], success: true },
  gen: [],
  loc: [],
  metrics: { reliability: 1, generality: NaN, locality: NaN, kl: NaN },
  continuation: { before: '', after: '' },
});
const applied = (id: string, target: string, steps?: number) => ({
  id,
  method: 'ft' as const,
  settings: steps === undefined ? {} : { steps },
  gen: ['g'],
  loc: ['l'],
  outcome: outcome(id, target),
});

describe('edit cache (restoring edits without recomputing them)', () => {
  it('finds an edit only on the model state it was made on', () => {
    forgetEdits();
    const e1 = applied('e1', ' Rome');
    const e2 = applied('e2', ' Oslo', 3);
    rememberEdit([], e1);
    rememberEdit(['e1'], e2);
    expect(recallEdit([], asSessionEdit(e1))?.id).toBe('e1');
    expect(recallEdit(['e1'], asSessionEdit(e2))?.id).toBe('e2');
    // The same request on another state (e1 undone, or recomputed under a new id) is not reused.
    expect(recallEdit([], asSessionEdit(e2))).toBeUndefined();
    expect(recallEdit(['e3'], asSessionEdit(e2))).toBeUndefined();
  });

  it('tells edits apart by settings and probes, ignoring another method’s leftovers', () => {
    forgetEdits();
    const e1 = applied('e1', ' Rome', 3);
    rememberEdit([], e1);
    const same = asSessionEdit(e1);
    expect(recallEdit([], { ...same, settings: { steps: 3, stepScale: 2 } })?.id).toBe('e1');
    expect(recallEdit([], { ...same, settings: { steps: 4 } })).toBeUndefined();
    expect(recallEdit([], { ...same, gen: ['g', 'h'] })).toBeUndefined();
    expect(recallEdit([], { ...same, method: 'rome' })).toBeUndefined();
  });

  it('forgets everything when another model is loaded (ids start again)', () => {
    forgetEdits();
    const e1 = applied('e1', ' Rome');
    rememberEdit([], e1);
    forgetEdits();
    expect(recallEdit([], asSessionEdit(e1))).toBeUndefined();
  });
});
