import { describe, expect, it } from 'vitest';
import { drawToken } from './sample.ts';

describe('sampling with temperature and top-p', () => {
  const p = [0.5, 0.3, 0.15, 0.05];
  it('top-p keeps the smallest set reaching the mass, and u walks it in order', () => {
    // top-p 0.6: tokens 0 and 1 (0.8 of the mass) only.
    const seen = new Set([0, 0.2, 0.5, 0.7, 0.99].map((u) => drawToken(p, 1, 0.6, u)));
    expect([...seen].sort()).toEqual([0, 1]);
    expect(drawToken(p, 1, 1, 0.99)).toBe(3);
    expect(drawToken(p, 1, 0.01, 0.99)).toBe(0);
  });
  it('a low temperature is close to greedy', () => {
    expect(drawToken(p, 0.05, 1, 0.999)).toBe(0);
  });
});
