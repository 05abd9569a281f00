import { describe, expect, it } from 'vitest';
import { spreadSample } from './spread.ts';

describe('spreadSample', () => {
  it('takes evenly spaced cases over the whole list, the rest kept apart', () => {
    const all = Array.from({ length: 10 }, (_, i) => i);
    expect(spreadSample(all, 4)).toEqual({ picked: [0, 2, 5, 7], rest: [1, 3, 4, 6, 8, 9] });
    expect(spreadSample(all, 10).picked).toEqual(all);
    expect(spreadSample(all, 50)).toEqual({ picked: all, rest: [] });
  });

  it('keeps every block of a list ordered by group in proportion', () => {
    const all = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'c', 'c', 'c', 'c'];
    const { picked } = spreadSample(all, 6);
    expect(picked.filter((x) => x === 'a').length).toBe(2);
    expect(picked.filter((x) => x === 'b').length).toBe(2);
    expect(picked.filter((x) => x === 'c').length).toBe(2);
  });
});
