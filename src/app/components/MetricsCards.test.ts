// The cards' honest lines: exact match and the unedited floor under reliability and generality, the update
// size as a share of ‖W‖, and nothing invented for what the engine did not measure.

import { describe, expect, it } from 'vitest';
import { formatUpdateSize, metricValues } from './MetricsCards.tsx';

describe('metric cards', () => {
  it('show exact match and the unedited floor beneath token accuracy', () => {
    const v = metricValues({
      latencyMs: 40,
      metrics: {
        reliability: 2 / 3,
        generality: 0.5,
        locality: 1,
        kl: 0.01,
        reliabilityExact: 0,
        reliabilityFloor: 1 / 3,
        generalityExact: 0.25,
        generalityFloor: 0,
        updateSize: 0.244,
      },
    });
    expect(v.reliability).toMatchObject({ shown: '66.7%', note: 'exact 0% · unedited 33.3%' });
    expect(v.generality.note).toBe('exact 25% · unedited 0%');
    expect(v.update).toEqual({ shown: '24.4% of ‖W‖', value: 0.244 });
  });

  it('leave out what was not measured', () => {
    const v = metricValues({
      latencyMs: 1,
      metrics: { reliability: 1, generality: NaN, locality: 1, kl: NaN },
    });
    expect(v.reliability.note).toBeUndefined();
    expect(v.generality).toMatchObject({ shown: 'no probes', note: undefined });
    expect(v.update.shown).toBe('not measured');
    expect(formatUpdateSize(Infinity)).toBe('not measured');
  });
});
