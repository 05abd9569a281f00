import { describe, expect, it } from 'vitest';
import { klRowsRef } from '../../reference/kl-rows.ts';
import { klToSoftmaxRef } from '../../reference/soft-targets.ts';
import { expectClose, maxAbsDiff, randomArray, testContext } from '../testing.ts';
import { klRows } from './kl-rows.ts';

/** Row-wise softmax of random logits (f64 → f32), plus the logits themselves. */
function softmaxRows(R: number, V: number, seed: number, scale: number) {
  const logits = randomArray(R * V, seed, scale);
  const probs = new Float32Array(R * V);
  for (let r = 0; r < R; r++) {
    const row = logits.subarray(r * V, (r + 1) * V);
    const max = Math.max(...row);
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    row.forEach((x, i) => (probs[r * V + i] = Math.exp(x - max) / sum));
  }
  return { logits, probs };
}

describe('klRows', () => {
  it('matches the f64 reference and KL computed from the logits, with zeros in q, on awkward sizes', async () => {
    const ctx = await testContext();
    for (const [R, V, K] of [
      [1, 1, 1],
      [3, 37, 2],
      [5, 300, 4],
      [4, 3732, 3],
    ]) {
      const { logits, probs } = softmaxRows(R, V, V, 4);
      const q = softmaxRows(K, V, V + 1, 3).probs;
      for (let i = 0; i < q.length; i += 3) q[i] = 0; // zeros: 0·log 0 = 0
      const rows = Uint32Array.from({ length: K }, (_, k) => (R - 1 - k + R) % R);
      const weights = Float32Array.from({ length: K }, (_, k) => 0.5 + k);
      const out = ctx.buffer('kl.out', K * 4);
      klRows(ctx, {
        rows: ctx.upload('kl.rows', rows),
        weights: ctx.upload('kl.w', weights),
        q: ctx.upload('kl.q', q),
        probs: ctx.upload('kl.p', probs),
        out,
        K,
        V,
      });
      const got = await ctx.read(out);
      const want = klRowsRef(rows, weights, q, probs, V);
      const fromLogits = Array.from(rows, (r, k) => {
        const qk = q.subarray(k * V, (k + 1) * V);
        return weights[k] * klToSoftmaxRef(qk, logits.subarray(r * V, (r + 1) * V));
      });
      console.info(`klRows R=${R} V=${V} K=${K}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`);
      expectClose(`klRows V=${V}`, got, want, 2e-6, 1e-4);
      expectClose(`klRows vs logits V=${V}`, got, fromLogits, 2e-6, 1e-4);
      if (V > 1) expect(Math.min(...got)).toBeGreaterThan(0);
    }
  });

  it('gives 0 when q equals the row and a finite value when a probability underflowed', async () => {
    const ctx = await testContext();
    const V = 5;
    const probs = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0, 0, 0, 0, 0, 1);
    const q = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0, 0.5, 0, 0, 0, 0.5);
    const out = ctx.buffer('kl.out', 8);
    klRows(ctx, {
      rows: ctx.upload('kl.rows', Uint32Array.of(0, 1)),
      weights: ctx.upload('kl.w', Float32Array.of(1, 1)),
      q: ctx.upload('kl.q', q),
      probs: ctx.upload('kl.p', probs),
      out,
      K: 2,
      V,
    });
    const [same, underflow] = await ctx.read(out);
    expect(Math.abs(same)).toBeLessThan(1e-6);
    // 0.5·(log 0.5 − log FLT_MIN) + 0.5·log 0.5
    expect(underflow).toBeCloseTo(0.5 * (Math.log(0.5) - Math.log(1.1754944e-38)) + 0.5 * Math.log(0.5), 3);
  });
});
