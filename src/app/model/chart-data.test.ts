import { describe, expect, it } from 'vitest';
import {
  displayToken,
  formatMetric,
  formatProb,
  formatRank,
  sameRows,
  tokenBarRows,
  topKFloor,
} from './chart-data.ts';

const t = (token: string, prob: number, id = 0) => ({ token, prob, id });

describe('chart rows', () => {
  const reading = {
    before: [t(' Paris', 0.8), t(' Lyon', 0.1), t(' Rome', 0.02), t(' the', 0.01)],
    after: [t(' Rome', 0.7), t(' Paris', 0.2), t(' Milan', 0.05), t(' the', 0.01)],
  };

  it('unions both top lists, sorts by the larger probability, and leaves unknowns null', () => {
    const rows = tokenBarRows(reading, ' Rome', 3);
    expect(rows.map((r) => [r.token, r.before, r.after])).toEqual([
      [' Paris', 0.8, 0.2],
      [' Rome', 0.02, 0.7],
      [' Lyon', 0.1, null],
      [' Milan', null, 0.05],
    ]);
    expect(rows.find((r) => r.isTarget)?.token).toBe(' Rome');
    expect(rows.find((r) => r.isOldAnswer)?.token).toBe(' Paris');
  });

  it('adds the target and the old answer even when they fall outside the shown top', () => {
    const rows = tokenBarRows(
      { before: reading.before, after: [t(' x', 0.9), t(' Rome', 0.05)] },
      ' Rome',
      1,
    );
    expect(rows.map((r) => r.token)).toEqual([' x', ' Paris', ' Rome']);
  });

  it('gives the target a row with its exact probabilities even outside both top lists', () => {
    const target = { token: ' Oslo', probBefore: 0.001, probAfter: 0.004, rankBefore: 40, rankAfter: 12 };
    const rows = tokenBarRows({ ...reading, target }, ' Oslo', 2);
    expect(rows.at(-1)).toMatchObject({ token: ' Oslo', before: 0.001, after: 0.004, isTarget: true });
    // The exact reading wins over a top-k entry, and only for the token it is about.
    expect(
      tokenBarRows({ ...reading, target: { ...target, token: ' Rome' } }, ' Rome', 2).find((r) => r.isTarget),
    ).toMatchObject({ before: 0.001, after: 0.004 });
    expect(tokenBarRows({ ...reading, target }, ' Rome', 2).find((r) => r.token === ' Oslo')).toBeUndefined();
  });

  it('shows spaces and newlines visibly', () => {
    expect(displayToken(' Rome')).toBe('␣Rome');
    expect(displayToken('\n')).toBe('⏎');
    expect(displayToken('')).toBe('∅');
  });

  it('formats probabilities, ranks and metrics for people', () => {
    expect(formatProb(0.4312)).toBe('43.1%');
    expect(formatProb(0.0123)).toBe('1.23%');
    expect(formatProb(2e-7)).toBe('2.0e-7');
    expect(formatProb(null)).toBe('–');
    expect(formatRank(1234)).toBe('#1,234');
    expect(formatMetric(2 / 3)).toBe('66.7%');
    expect(formatMetric(NaN)).toBe('n/a');
    expect(topKFloor(reading.before)).toBe(0.01);
    expect(topKFloor([])).toBeNull();
  });

  it('tells equal row lists from changed ones (the charts skip re-rendering on equal rows)', () => {
    const a = tokenBarRows(reading, ' Rome');
    expect(sameRows(a, tokenBarRows(reading, ' Rome'))).toBe(true);
    expect(sameRows(a, a.slice(1))).toBe(false);
    expect(
      sameRows(
        a,
        a.map((r, i) => (i === 0 ? { ...r, after: 0.5 } : r)),
      ),
    ).toBe(false);
    expect(
      sameRows(
        a,
        a.map((r, i) => (i === 1 ? { ...r, label: '<0xF0>' } : r)),
      ),
    ).toBe(false);
    expect(sameRows(a, tokenBarRows(reading, ' Paris'))).toBe(false);
  });
});
