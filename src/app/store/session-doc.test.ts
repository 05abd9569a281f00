import { beforeEach, describe, expect, it } from 'vitest';
import type { EditOutcome } from '../../engine/types.ts';
import { validateSession } from '../permalink/schema.ts';
import { useApp } from './index.ts';
import { probeTexts, toSessionDoc } from './session-doc.ts';

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

describe('store -> session document', () => {
  beforeEach(() => {
    const s = useApp.getState();
    s.keepEdits([]);
    s.setPendingEdits([]);
    s.setProbes({ gen: ["France's capital city is"], loc: ['The capital of Germany is'] });
    s.loadDraft({
      prompt: 'The capital of France is',
      subject: 'France',
      target: ' Rome',
      method: 'ft',
      settings: { steps: 7 },
    });
  });

  it('writes applied edits in order, then the pending ones, as a valid session', () => {
    const s = useApp.getState();
    s.addEdit({
      id: 'e1',
      method: 'ft',
      settings: { steps: 9, stepScale: 3 },
      gen: ['g'],
      loc: [],
      outcome: outcome('e1', ' Rome'),
    });
    s.addEdit({ id: 'e2', method: 'ft', settings: {}, gen: [], loc: ['l'], outcome: outcome('e2', ' Oslo') });
    s.setPendingEdits([
      { prompt: 'p', subject: 'p', target: ' x', method: 'rome', settings: {}, gen: [], loc: [] },
    ]);
    const doc = toSessionDoc(useApp.getState());
    expect(validateSession(doc)).toEqual(doc);
    expect(doc.edits.map((e) => e.target)).toEqual([' Rome', ' Oslo', ' x']);
    // Another method's leftover settings never reach the link.
    expect(doc.edits[0].settings).toEqual({ steps: 9 });
    expect(doc.draft).toEqual({
      prompt: 'The capital of France is',
      subject: 'France',
      target: ' Rome',
      method: 'ft',
      settings: { steps: 7 },
    });
  });

  it('undo keeps the engine’s remaining edits in order and moves the selection to the last one', () => {
    const s = useApp.getState();
    for (const id of ['e1', 'e2', 'e3'])
      s.addEdit({ id, method: 'ft', settings: {}, gen: [], loc: [], outcome: outcome(id, ' Rome') });
    expect(useApp.getState().selectedEditId).toBe('e3');
    s.keepEdits(['e3', 'e1']);
    expect(useApp.getState().edits.map((e) => e.id)).toEqual(['e1', 'e3']);
    s.selectEdit('e1');
    s.keepEdits(['e3']);
    expect(useApp.getState().selectedEditId).toBe('e3');
  });

  it('drops empty probes and trims the others', () => {
    const s = useApp.getState();
    s.addProbe('gen', 'tmp');
    const id = useApp.getState().probes.gen.at(-1)!.id;
    s.updateProbe('gen', id, '   ');
    s.addProbe('loc', '  The official language of France is ');
    expect(probeTexts(useApp.getState())).toEqual({
      gen: ["France's capital city is"],
      loc: ['The capital of Germany is', 'The official language of France is'],
    });
    expect(() => validateSession(toSessionDoc(useApp.getState()))).not.toThrow();
  });
});
