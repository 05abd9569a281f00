import { describe, expect, it } from 'vitest';
import * as ref from '../../reference/hyper.ts';
import { expectClose, randomArray, testContext } from '../testing.ts';
import {
  gatherColumnsScaled,
  scaleGrads,
  scatterColumnsScaled,
  softplusBackward,
  softplusForward,
  sumBlocks,
  sumInto,
} from './hyper-factors.ts';
import { maskedSoftmaxForward, reparamBackward, reparamForward, softmaxBackward } from './hyper-latent.ts';
import { affineReluResidualBackward, affineReluResidualForward } from './hyper-mend.ts';
import { normStatsUpdate, standardize } from './hyper-norm.ts';

// Awkward sizes: a single row, widths that are not multiples of the 64-invocation workgroup.
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 65],
  [7, 5],
  [37, 130],
];

describe('hyper kernels', () => {
  it('norm statistics (Welford merge) and standardisation into a column slice', async () => {
    const ctx = await testContext();
    for (const [rows, C] of SHAPES) {
      const x1 = randomArray(rows * C, rows + C, 3);
      const x2 = randomArray(2 * rows * C, rows * C + 1, 2);
      const stats = ctx.upload('stats', new Float32Array(2 * C));
      normStatsUpdate(ctx, { x: ctx.upload('x1', x1), stats, rows, C, count: 0 });
      normStatsUpdate(ctx, { x: ctx.upload('x2', x2), stats, rows: 2 * rows, C, count: rows });
      let want = ref.normStatsUpdateRef(x1, new Float64Array(2 * C), rows, C, 0);
      want = ref.normStatsUpdateRef(x2, want, 2 * rows, C, rows);
      const got = await ctx.read(stats);
      expectClose(`stats ${rows}x${C}`, got, want, 1e-4, 1e-4);
      // Independent check of the merge: the mean of all 3·rows rows directly.
      const all = [...x1, ...x2];
      for (const j of [0, C - 1]) {
        let s = 0;
        for (let i = 0; i < 3 * rows; i++) s += all[i * C + j];
        expect(got[j]).toBeCloseTo(s / (3 * rows), 4);
      }
      const ld = C + 3;
      const into = randomArray(rows * ld, 5);
      for (const count of [3 * rows, 1]) {
        const out = ctx.upload('out', into);
        standardize(ctx, { x: ctx.upload('x', x1), stats, out, rows, C, ld, off: 2, count, eps: 1e-6 });
        const opts = { rows, C, ld, off: 2, count, eps: 1e-6 };
        expectClose(
          `standardize ${rows}x${C} count ${count}`,
          await ctx.read(out),
          ref.standardizeRef(x1, got, into, opts),
          1e-4,
          1e-4,
        );
      }
    }
  });

  it('MEND affine-ReLU-residual forward and backward', async () => {
    const ctx = await testContext();
    for (const [N, D] of SHAPES) {
      const [x, a, dy] = [1, 2, 3].map((s) => randomArray(N * D, N * D + s));
      const [s, o] = [4, 5].map((k) => randomArray(D, D + k));
      const want = ref.affineReluResidualRef(x, a, s, o, dy, N, D);
      const b = Object.fromEntries(Object.entries({ x, a, dy, s, o }).map(([k, v]) => [k, ctx.upload(k, v)]));
      const y = ctx.buffer('y', N * D * 4);
      const da = ctx.upload('da', randomArray(N * D, 9)); // overwritten
      const ds0 = randomArray(D, 11);
      const do0 = randomArray(D, 12);
      const ds = ctx.upload('ds', ds0);
      const dO = ctx.upload('do', do0);
      affineReluResidualForward(ctx, { x: b.x, a: b.a, s: b.s, o: b.o, y, N, D });
      affineReluResidualBackward(ctx, { dy: b.dy, a: b.a, s: b.s, o: b.o, da, ds, dO, N, D });
      expectClose('y', await ctx.read(y), want.y);
      expectClose('da', await ctx.read(da), want.da);
      expectClose(
        'ds (+=)',
        await ctx.read(ds),
        want.ds.map((v, j) => v + ds0[j]),
      );
      expectClose(
        'do (+=)',
        await ctx.read(dO),
        want.dO.map((v, j) => v + do0[j]),
      );
    }
  });

  it('scaled column gather/scatter, the scale gradients, sums and softplus', async () => {
    const ctx = await testContext();
    for (const [rows, W] of SHAPES) {
      const ld = W + 4;
      const off = 3;
      const src = randomArray(rows * ld, rows + W);
      const rowScale = randomArray(rows, 7);
      const alphas = randomArray(3, 8);
      const cfg = { rows, W, ld, off, sign: -1, alpha: alphas[2], rowScale };
      const gpu = {
        rows,
        W,
        ld,
        off,
        sign: -1,
        aIdx: 2,
        alpha: ctx.upload('alpha', alphas),
        rowScale: ctx.upload('r', rowScale),
      };
      const out = ctx.buffer('out', rows * W * 4);
      gatherColumnsScaled(ctx, { ...gpu, src: ctx.upload('src', src), out });
      expectClose('gather', await ctx.read(out), ref.gatherColumnsScaledRef(src, cfg));
      const x = randomArray(rows * W, 13);
      const dst = ctx.upload('dst', src);
      scatterColumnsScaled(ctx, { ...gpu, x: ctx.upload('x', x), dst });
      expectClose('scatter', await ctx.read(dst), ref.scatterColumnsScaledRef(x, src, cfg));
      const perAlpha = ctx.buffer('t', rows * 4);
      const dRowScale = ctx.buffer('dr', rows * 4);
      scaleGrads(ctx, {
        ...gpu,
        dout: ctx.upload('dout', x),
        src: ctx.upload('src', src),
        perAlpha,
        dRowScale,
      });
      const want = ref.scaleGradsRef(x, src, cfg);
      expectClose('per-alpha', await ctx.read(perAlpha), want.perAlpha);
      expectClose('dRowScale', await ctx.read(dRowScale), want.dRowScale);
      const acc = ctx.upload('acc', alphas);
      sumInto(ctx, { x: perAlpha, out: acc, n: rows, index: 1 });
      const wantAcc = Float64Array.from(alphas);
      wantAcc[1] += want.perAlpha.reduce((s, v) => s + v, 0);
      expectClose('sumInto', await ctx.read(acc), wantAcc);
      const blocks = ctx.upload('blocks', new Float32Array(W).fill(1));
      sumBlocks(ctx, { x: ctx.upload('x', x), out: blocks, blocks: rows, W });
      const wantBlocks = new Float64Array(W).fill(1);
      for (let i = 0; i < rows * W; i++) wantBlocks[i % W] += x[i];
      expectClose('sumBlocks', await ctx.read(blocks), wantBlocks);
      const n = rows * W;
      const sx = randomArray(n, 21, 30);
      sx[0] = 100;
      if (n > 1) sx[1] = -100;
      const y = ctx.buffer('y', n * 4);
      const dx = ctx.buffer('dx', n * 4);
      softplusForward(ctx, { x: ctx.upload('sx', sx), y, n });
      softplusBackward(ctx, { x: ctx.upload('sx', sx), dy: ctx.upload('dy', x), dx, n });
      expectClose('softplus', await ctx.read(y), ref.softplusRef(sx), 1e-5, 1e-5);
      expectClose('softplus backward', await ctx.read(dx), ref.softplusBackwardRef(sx, x), 1e-5, 1e-5);
    }
  });

  it('masked softmax, its backward, and the reparameterised latent with its KL', async () => {
    const ctx = await testContext();
    for (const [R, C] of SHAPES) {
      const s = randomArray(R * C, R + C, 4);
      const segR = Uint32Array.from({ length: R }, (_, i) => i % 3);
      const segC = Uint32Array.from({ length: C }, (_, i) => (i * 7) % 3);
      const probs = ctx.buffer('p', R * C * 4);
      maskedSoftmaxForward(ctx, {
        scores: ctx.upload('s', s),
        segRows: ctx.upload('sr', segR),
        segCols: ctx.upload('sc', segC),
        probs,
        R,
        C,
      });
      const p = ref.maskedSoftmaxRef(s, segR, segC, R, C);
      expectClose('masked softmax', await ctx.read(probs), p, 1e-6, 1e-5);
      const dp = randomArray(R * C, 3);
      const ds = ctx.buffer('ds', R * C * 4);
      softmaxBackward(ctx, { probs, dprobs: ctx.upload('dp', dp), dscores: ds, R, C });
      expectClose('softmax backward', await ctx.read(ds), ref.softmaxBackwardRef(p, dp, R, C), 1e-6, 1e-5);

      const n = R * C;
      const mu = randomArray(n, 31);
      const lv = randomArray(n, 32, 2);
      const dz = randomArray(n, 33);
      const bufs = { mu: ctx.upload('mu', mu), logVar: ctx.upload('lv', lv) };
      const [eps, z, kl, dmu, dlv] = [1, 2, 3, 4, 5].map((i) => ctx.buffer(`o${i}`, n * 4));
      for (const sample of [true, false]) {
        reparamForward(ctx, { ...bufs, eps, z, kl, n, sample, seed: 1234 });
        reparamBackward(ctx, { ...bufs, eps, dz: ctx.upload('dz', dz), dmu, dlogVar: dlv, n, klWeight: 0.3 });
        const e = await ctx.read(eps);
        const want = ref.reparamRef(mu, lv, e, dz, 0.3);
        expectClose('z', await ctx.read(z), want.z, 1e-5, 1e-5);
        expectClose('kl', await ctx.read(kl), want.kl, 1e-5, 1e-5);
        expectClose('dmu', await ctx.read(dmu), want.dmu, 1e-5, 1e-5);
        expectClose('dlv', await ctx.read(dlv), want.dlv, 1e-5, 1e-5);
        if (!sample) expect(e.every((v) => v === 0)).toBe(true);
      }
    }
  });

  it('draws standard normal ε, reproducibly per seed', async () => {
    const ctx = await testContext();
    const n = 4096;
    const zero = ctx.upload('zero', new Float32Array(n));
    const [eps, z, kl] = [1, 2, 3].map((i) => ctx.buffer(`o${i}`, n * 4));
    const draw = async (seed: number) => {
      reparamForward(ctx, { mu: zero, logVar: zero, eps, z, kl, n, sample: true, seed });
      return ctx.read(eps);
    };
    const a = await draw(7);
    const mean = a.reduce((s, v) => s + v, 0) / n;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    console.info(`ε: mean ${mean.toFixed(4)}, variance ${variance.toFixed(4)} over ${n}`);
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(variance - 1)).toBeLessThan(0.08);
    expect(Array.from(await draw(7))).toEqual(Array.from(a));
    expect((await draw(8))[0]).not.toBe(a[0]);
  });
});
