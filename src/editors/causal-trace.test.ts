import { describe, expect, it } from 'vitest';
import { bestEditSite, peak, summarizeTraces } from './causal-trace-summary.ts';
import { positionKind, type FactTrace } from './causal-trace.ts';

/** A synthetic trace: 2 layers, 4 tokens, subject = tokens [1, 2]; restored[kind][l][t] = base + bump. */
function fakeTrace(known: boolean, bump: (kind: string, l: number, t: number) => number): FactTrace {
  const grid = (kind: string) => [0, 1].map((l) => [0, 1, 2, 3].map((t) => 0.1 + bump(kind, l, t)));
  return {
    fact: { prompt: 'a b c d', subject: 'b c', answer: ' e' },
    tokens: [1, 2, 3, 4],
    subject: [1, 2],
    pClean: 0.9,
    pCorrupt: 0.1,
    known,
    restored: { block: grid('block'), mlp: grid('mlp'), attn: grid('attn') },
  };
}

describe('causal trace summary', () => {
  it('names positions as ROME does (the last token wins, then the subject last token)', () => {
    expect([0, 1, 2, 3, 4, 5].map((t) => positionKind(t, [1, 2], 6))).toEqual([
      'before_subject',
      'subject_first',
      'subject_last',
      'first_after',
      'further',
      'last',
    ]);
    expect(positionKind(0, [0, 0], 1)).toBe('last');
    expect(positionKind(0, [0, 0], 3)).toBe('subject_last');
  });

  it('averages indirect effects over known facts, per position kind and layer, and picks the MLP site', () => {
    const mlpAtSubjectL1 = (kind: string, l: number, t: number) =>
      kind === 'mlp' && l === 1 && t === 2 ? 0.6 : 0;
    const traces = [
      fakeTrace(true, mlpAtSubjectL1),
      fakeTrace(true, (k, l, t) => mlpAtSubjectL1(k, l, t) / 3),
      fakeTrace(false, () => 0.8), // not known: left out
    ];
    const s = summarizeTraces(traces);
    expect(s.facts).toBe(2);
    expect(s.skipped.unknown).toBe(1);
    expect(s.pClean).toBeCloseTo(0.9);
    expect(s.indirect.mlp.subject_last.effect[1]).toBeCloseTo(0.4); // (0.6 + 0.2) / 2
    expect(s.indirect.mlp.subject_last.effect[0]).toBeCloseTo(0);
    expect(s.indirect.block.last.facts).toBe(2);
    expect(s.indirect.block.subject_middle.facts).toBe(0);
    expect(bestEditSite(s)).toEqual({
      layer: 1,
      position: 'subject_last',
      effect: s.indirect.mlp.subject_last.effect[1],
    });
    expect(peak(s, 'mlp')).toMatchObject({ layer: 1, position: 'subject_last' });
  });
});
