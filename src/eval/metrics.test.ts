// Metrics against numbers worked out by hand (the arithmetic is in the comments), and the chart helpers
// against an independent full sort.

import { describe, expect, it } from 'vitest';
import {
  aggregate,
  aggregateHonest,
  exactMatch,
  localityGroup,
  scoreHonest,
  KL_PROB_FLOOR,
  klDivergence,
  meanKl,
  rankOf,
  scoreEdit,
  sequenceProbability,
  tokenAccuracy,
  topK,
  type EditScores,
} from './metrics.ts';

describe('tokenAccuracy', () => {
  it('is the fraction of target positions where the argmax is the target token', () => {
    expect(tokenAccuracy([5, 7, 9], [5, 8, 9])).toBeCloseTo(2 / 3, 15);
    expect(tokenAccuracy(Int32Array.from([1]), [1])).toBe(1);
  });
  it('refuses mismatched or empty completions', () => {
    expect(() => tokenAccuracy([1, 2], [1])).toThrow('2 predictions for 1 target tokens');
    expect(() => tokenAccuracy([], [])).toThrow('no tokens');
  });
});

describe('klDivergence (natural log)', () => {
  it('matches hand-computed values', () => {
    // 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) = 0.5 ln(4/3)
    expect(klDivergence([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.5 * Math.log(4 / 3), 14);
    // Zero-probability terms of p contribute nothing: 1 · ln(1/0.5) = ln 2.
    expect(klDivergence([1, 0], [0.5, 0.5])).toBeCloseTo(Math.LN2, 14);
    // It is not symmetric: KL([.5,.5] ‖ [1,0]) floors q₁ at 1e-30: ln 0.5 + 0.5 · (−ln 1e-30) ≈ 33.8456.
    expect(klDivergence([0.5, 0.5], [1, 0])).toBeCloseTo(Math.log(0.5) - 0.5 * Math.log(KL_PROB_FLOOR), 10);
    expect(klDivergence([0.5, 0.5], [1, 0])).toBeCloseTo(33.84562921435074, 10);
  });
  it('clamps at 0 the tiny negative sum of a q that sums to slightly more than 1 (float32 rounding)', () => {
    // 0.5 ln(0.5 / 0.5000001) ≈ −1e-7 before the clamp.
    expect(klDivergence([0.5, 0.5], [0.5, 0.5000001])).toBe(0);
  });
  it('refuses NaN, negative entries and length mismatches', () => {
    expect(() => klDivergence([0.5, NaN], [0.5, 0.5])).toThrow('entry 1 is not a probability');
    expect(() => klDivergence([1.5, -0.5], [0.5, 0.5])).toThrow('entry 1');
    expect(() => klDivergence([1], [0.5, 0.5])).toThrow('1 and 2 entries');
  });
  it('meanKl averages over positions', () => {
    // (0 + 0.5 ln 3) / 2: KL([.25,.75] ‖ [.75,.25]) = .25 ln(1/3) + .75 ln 3 = 0.5 ln 3.
    const pre = [
      [0.5, 0.5],
      [0.25, 0.75],
    ];
    const post = [
      [0.5, 0.5],
      [0.75, 0.25],
    ];
    expect(meanKl(pre, post)).toBeCloseTo(0.25 * Math.log(3), 14);
  });
});

describe('scoreEdit', () => {
  it('computes reliability, generality (mean over probes), locality and KL as method.md defines them', () => {
    const s = scoreEdit({
      id: 'e1',
      edit: { predicted: [5, 7, 9], target: [5, 8, 9] },
      generality: [
        { predicted: [1, 2], target: [1, 2] }, // 1
        { predicted: [3], target: [4] }, // 0
      ],
      locality: [
        // [0 = 0, 0 ≠ 1] → 0.5; KL: (0 + 0.5 ln 3) / 2
        {
          pre: [0, 1],
          post: [0, 0],
          preProbs: [
            [0.5, 0.5],
            [0.25, 0.75],
          ],
          postProbs: [
            [0.5, 0.5],
            [0.75, 0.25],
          ],
        },
        // [1 = 1] → 1; KL([1,0] ‖ [.5,.5]) = ln 2
        { pre: [1], post: [1], preProbs: [[1, 0]], postProbs: [[0.5, 0.5]] },
      ],
      latencyMs: 12.5,
    });
    expect(s.id).toBe('e1');
    expect(s.reliability).toBeCloseTo(2 / 3, 15);
    // Probes weigh equally: (1 + 0) / 2, not the token-pooled 2/3.
    expect(s.generality).toBe(0.5);
    expect(s.locality).toBe(0.75);
    expect(s.kl).toBeCloseTo((0.25 * Math.log(3) + Math.LN2) / 2, 14);
    expect(s.latencyMs).toBe(12.5);
  });
  it('gives null for metrics without probes, and no KL when a probe lacks distributions', () => {
    const s = scoreEdit({
      edit: { predicted: [1], target: [1] },
      generality: [],
      locality: [{ pre: [2, 3], post: [2, 4] }],
    });
    expect(s).toEqual({ reliability: 1, generality: null, locality: 0.5, kl: null });
    expect(scoreEdit({ edit: { predicted: [0], target: [1] }, generality: [], locality: [] })).toEqual({
      reliability: 0,
      generality: null,
      locality: null,
      kl: null,
    });
  });
});

describe('aggregate', () => {
  it('averages each metric over the edits that have it and counts them', () => {
    const scores: EditScores[] = [
      { reliability: 1, generality: 0.5, locality: 1, kl: 0.2, latencyMs: 10 },
      { reliability: 0.5, generality: null, locality: 0.5, kl: null, latencyMs: 30 },
      { reliability: 0, generality: 1, locality: null, kl: null },
    ];
    expect(aggregate(scores)).toEqual({
      edits: 3,
      reliability: 0.5, // (1 + 0.5 + 0) / 3
      generality: 0.75, // (0.5 + 1) / 2
      locality: 0.75, // (1 + 0.5) / 2
      kl: 0.2,
      latencyMs: 20, // (10 + 30) / 2
      counts: { reliability: 3, generality: 2, locality: 2, kl: 1, latency: 2 },
    });
  });
  it('is all null for no edits', () => {
    expect(aggregate([])).toEqual({
      edits: 0,
      reliability: null,
      generality: null,
      locality: null,
      kl: null,
      latencyMs: null,
      counts: { reliability: 0, generality: 0, locality: 0, kl: 0, latency: 0 },
    });
  });
});

describe('chart helpers', () => {
  const probs = [0.1, 0.3, 0.3, 0.2, 0.1];

  it('ranks by probability, ties by lower id', () => {
    expect([0, 1, 2, 3, 4].map((id) => rankOf(probs, id))).toEqual([4, 1, 2, 3, 5]);
    expect(() => rankOf(probs, 5)).toThrow('outside the vocabulary of 5');
    expect(() => rankOf(probs, 1.5)).toThrow('outside');
  });

  it('takes the top k, ties by lower id', () => {
    expect(topK(probs, 3)).toEqual([
      { id: 1, prob: 0.3 },
      { id: 2, prob: 0.3 },
      { id: 3, prob: 0.2 },
    ]);
    expect(topK(probs, 10).map((t) => t.id)).toEqual([1, 2, 3, 0, 4]);
    expect(topK(probs, 0)).toEqual([]);
    expect(() => topK(probs, -1)).toThrow('non-negative integer');
    expect(() => topK([0.5, NaN], 1)).toThrow('token 1 is NaN');
  });

  it('agrees with a full sort on random distributions with many ties', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 20; trial++) {
      const V = 1 + Math.floor(rand() * 300);
      const p = Float32Array.from({ length: V }, () => Math.floor(rand() * 8) / 8); // 8 levels: many ties
      const order = [...p.keys()].sort((a, b) => p[b] - p[a] || a - b);
      const k = Math.floor(rand() * 12);
      expect(topK(p, k).map((t) => t.id)).toEqual(order.slice(0, k));
      for (const id of [0, V - 1, Math.floor(V / 2)]) expect(rankOf(p, id)).toBe(order.indexOf(id) + 1);
    }
  });

  it('multiplies teacher-forced probabilities of a multi-token target', () => {
    expect(
      sequenceProbability(
        [
          [0.5, 0.5],
          [0.2, 0.8],
        ],
        [1, 1],
      ),
    ).toBeCloseTo(0.4, 15);
    expect(sequenceProbability([[1, 0]], [1])).toBe(0);
    expect(() => sequenceProbability([[1, 0]], [2])).toThrow('outside the vocabulary of 2');
  });
});

describe('honest scores', () => {
  const pair = (before: number[], after: number[], target: number[]) => ({
    before: { predicted: before, target },
    after: { predicted: after, target },
  });
  it('puts exact match beside token accuracy, each with the unedited floor', () => {
    expect(exactMatch([1, 2], [1, 2])).toBe(1);
    expect(exactMatch([1, 3], [1, 2])).toBe(0);
    const s = scoreHonest({
      edit: pair([7, 2], [1, 2], [1, 2]), // floor: 1/2 tokens, not exact; after: exact
      generality: [pair([7, 2], [1, 9], [1, 2]), pair([1, 2], [1, 2], [1, 2])],
      locality: [
        { kind: 'same_subject', pre: [4], post: [5], pBefore: 0.9, pAfter: 0.3 },
        { kind: 'neighborhood', pre: [6, 6], post: [6, 6], pBefore: 0.8, pAfter: 0.8 },
        { kind: 'unrelated', pre: [3], post: [3] },
      ],
      updateSize: 0.25,
    });
    expect(s.reliability).toEqual({
      tokenAccuracy: 1,
      exactMatch: 1,
      floorTokenAccuracy: 0.5,
      floorExactMatch: 0,
    });
    // Generality: (1/2 + 1)/2 tokens, (0 + 1)/2 exact; floor (1/2 + 1)/2 and (0 + 1)/2.
    expect(s.generality).toEqual({
      tokenAccuracy: 0.75,
      exactMatch: 0.5,
      floorTokenAccuracy: 0.75,
      floorExactMatch: 0.5,
    });
    expect(s.locality).toBeCloseTo(2 / 3, 14);
    expect(s.localitySameSubject).toBe(0);
    expect(s.localitySameRelation).toBe(1);
    expect(s.localityOther).toBe(1);
    // p(true) over the probes that carry it: (0.9 + 0.8)/2 → (0.3 + 0.8)/2, a drop of 0.3.
    expect(s.trueProbBefore).toBeCloseTo(0.85, 14);
    expect(s.trueProbAfter).toBeCloseTo(0.55, 14);
    expect(s.trueProbDrop).toBeCloseTo(0.3, 14);
    expect(s.updateSize).toBe(0.25);
  });
  it('maps the datasets locality kinds to the two groups', () => {
    expect(localityGroup('same_subject')).toBe('sameSubject');
    expect(localityGroup('neighborhood')).toBe('sameRelation');
    expect(localityGroup('attribute')).toBe('sameRelation');
    expect(localityGroup(undefined)).toBe('other');
  });
  it('aggregates each score over the edits that have it', () => {
    const a = scoreHonest({ edit: pair([0], [1], [1]), generality: [], locality: [], updateSize: 0.1 });
    const b = scoreHonest({
      edit: pair([1], [0], [1]),
      generality: [pair([0], [1], [1])],
      locality: [{ pre: [1], post: [1] }],
      updateSize: 0.3,
    });
    const m = aggregateHonest([a, b]);
    expect(m).toMatchObject({
      edits: 2,
      reliability: 0.5,
      reliabilityFloor: 0.5,
      generality: 1,
      locality: 1,
    });
    expect(m.generalityFloor).toBe(0);
    expect(m.updateSize).toBeCloseTo(0.2, 14);
    expect(m.updateSizeMax).toBe(0.3);
    expect(m.trueProbDrop).toBeNull();
    expect(m.latencyMs).toBeNull();
  });
});
