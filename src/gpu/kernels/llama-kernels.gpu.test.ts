// The Llama/Qwen3 kernels (RMSNorm, RoPE, grouped-query attention, SwiGLU) against their CPU references on
// awkward sizes: one row, T = 1, widths that are not multiples of a workgroup, head_dim 8 and 16, GQA groups,
// and attention reading a KV cache in place (strided rows, pos0 > 0).

import { describe, it } from 'vitest';
import { gqaBackwardRef, gqaForwardRef, type GqaShape } from '../../reference/attention-gqa.ts';
import { rmsnormBackwardRef, rmsnormForwardRef } from '../../reference/rmsnorm.ts';
import { ropeBackwardRef, ropeForwardRef } from '../../reference/rope.ts';
import { swigluBackwardRef, swigluForwardRef } from '../../reference/swiglu.ts';
import { expectClose, maxAbsDiff, randomArray, testContext } from '../testing.ts';
import { attentionGqaBackward, attentionGqaForward } from './attention-gqa.ts';
import { rmsnormBackward, rmsnormForward } from './rmsnorm.ts';
import { rope, ropeTable } from './rope.ts';
import { swigluBackward, swigluForward } from './swiglu.ts';

function check(what: string, got: Float32Array, want: ArrayLike<number>, tol = 1e-5): void {
  console.info(`${what}: max |diff| ${maxAbsDiff(got, want).toExponential(2)}`);
  expectClose(what, got, want, tol, tol);
}

describe('rmsnorm', () => {
  it.each([
    [1, 1],
    [3, 37],
    [70, 100],
    [24, 8], // q/k norm: (tokens·heads) rows of head_dim
  ])('forward and backward match the CPU reference (N=%i, C=%i)', async (N, C) => {
    const ctx = await testContext();
    const inp = randomArray(N * C, N + C, 2);
    const w = randomArray(C, C).map((v) => 1 + v / 2);
    const dout = randomArray(N * C, 3);
    const init = { dinp: randomArray(N * C, 4), dweight: randomArray(C, 5) };
    const [bi, bw, bd] = [inp, w, dout].map((a) => ctx.upload('in', a));
    const [out, rstd] = [ctx.buffer('out', N * C * 4), ctx.buffer('rstd', N * 4)];
    const [dinp, dweight, dover] = [init.dinp, init.dweight, init.dinp].map((a) => ctx.upload('grad', a));
    rmsnormForward(ctx, { inp: bi, weight: bw, out, rstd, N, C, eps: 1e-6 });
    rmsnormBackward(ctx, { dout: bd, inp: bi, weight: bw, rstd, dinp, dweight, N, C });
    rmsnormBackward(ctx, { dout: bd, inp: bi, weight: bw, rstd, dinp: dover, N, C, accumulate: false });
    const ref = rmsnormForwardRef(inp, w, { N, C }, 1e-6);
    check(`out N=${N} C=${C}`, await ctx.read(out), ref.out);
    check(`rstd N=${N} C=${C}`, await ctx.read(rstd), ref.rstd);
    const acc = rmsnormBackwardRef(dout, inp, w, await ctx.read(rstd), init, { N, C });
    check(`dinp += N=${N} C=${C}`, await ctx.read(dinp), acc.dinp, 1e-4);
    check(`dweight += N=${N} C=${C}`, await ctx.read(dweight), acc.dweight, 1e-4);
    const fresh = rmsnormBackwardRef(dout, inp, w, await ctx.read(rstd), {}, { N, C });
    check(`dinp = N=${N} C=${C}`, await ctx.read(dover), fresh.dinp, 1e-4);
    [bi, bw, bd, out, rstd, dinp, dweight, dover].forEach((b) => b.destroy());
  });
});

describe('rope', () => {
  it.each([
    { N: 1, T: 1, pos0: 0, H: 1, HD: 8, theta: 10000 },
    { N: 10, T: 5, pos0: 0, H: 3, HD: 16, theta: 1e6 },
    { N: 1, T: 1, pos0: 45, H: 2, HD: 6, theta: 10000 },
  ])('forward and inverse match the reference (N $N, H $H, HD $HD, pos0 $pos0)', async (s) => {
    const ctx = await testContext();
    const n = s.N * s.H * s.HD;
    const x = randomArray(n, n);
    const table = ctx.upload('rope.table', ropeTable(s.pos0 + s.T, s.HD, s.theta));
    const [inp, out, back] = [ctx.upload('x', x), ctx.buffer('out', n * 4), ctx.buffer('back', n * 4)];
    rope(ctx, { inp, table, out, N: s.N, T: s.T, pos0: s.pos0, H: s.H, HD: s.HD });
    rope(ctx, { inp: out, table, out: back, N: s.N, T: s.T, pos0: s.pos0, H: s.H, HD: s.HD, inverse: true });
    const tag = `N=${s.N} HD=${s.HD} pos0=${s.pos0}`;
    check(`forward ${tag}`, await ctx.read(out), ropeForwardRef(x, s));
    // The inverse rotation applied to dout is the backward; here dout = out, so it must give x back.
    check(`backward ${tag}`, await ctx.read(back), ropeBackwardRef(await ctx.read(out), s));
    check(`round trip ${tag}`, await ctx.read(back), x);
    [table, inp, out, back].forEach((b) => b.destroy());
  });
});

describe('grouped-query attention', () => {
  const shapes: GqaShape[] = [
    { B: 1, T: 1, NH: 2, NKV: 1, HD: 8 },
    { B: 2, T: 5, NH: 4, NKV: 2, HD: 8 },
    { B: 1, T: 7, NH: 3, NKV: 1, HD: 16 },
    { B: 1, T: 3, NH: 2, NKV: 2, HD: 5 },
  ];
  it.each(shapes)(
    'forward and backward match the reference (B $B, T $T, $NH/$NKV heads, HD $HD)',
    async (s) => {
      const ctx = await testContext();
      const nq = s.B * s.T * s.NH * s.HD;
      const nkv = s.B * s.T * s.NKV * s.HD;
      const cells = s.B * s.NH * s.T * s.T;
      const [q, k, v, dout] = [
        randomArray(nq, 1),
        randomArray(nkv, 2),
        randomArray(nkv, 3),
        randomArray(nq, 4),
      ];
      const [bq, bk, bv, bd] = [q, k, v, dout].map((a) => ctx.upload('in', a));
      const [out, att, scratch] = [nq, cells, cells].map((c) => ctx.upload('out', randomArray(c, 9)));
      const [dq, dk, dv] = [nq, nkv, nkv].map((c) => ctx.upload('grad', randomArray(c, 8)));
      const shape = { B: s.B, Tq: s.T, NH: s.NH, NKV: s.NKV, HD: s.HD };
      attentionGqaForward(ctx, { ...shape, q: bq, k: bk, v: bv, out, att });
      attentionGqaBackward(ctx, { ...shape, dout: bd, q: bq, k: bk, v: bv, att, dq, dk, dv, scratch });
      const ref = gqaForwardRef(q, k, v, s);
      const tag = `B=${s.B} T=${s.T} ${s.NH}/${s.NKV} HD=${s.HD}`;
      check(`out ${tag}`, await ctx.read(out), ref.out);
      check(`att ${tag}`, await ctx.read(att), ref.att);
      const g = gqaBackwardRef(dout, q, k, v, ref.att, s);
      check(`dq ${tag}`, await ctx.read(dq), g.dq);
      check(`dk ${tag}`, await ctx.read(dk), g.dk);
      check(`dv ${tag}`, await ctx.read(dv), g.dv);
      [bq, bk, bv, bd, out, att, scratch, dq, dk, dv].forEach((b) => b.destroy());
    },
  );

  it('reads a KV cache in place: fused qkv rows, capacity past the sequence, new rows at pos0 > 0', async () => {
    const ctx = await testContext();
    // GPT-2-style rows q | k | v of width 3·C with C = NH·HD, S = 9 rows of capacity, 6 filled.
    const [NH, HD, S, T] = [3, 8, 9, 6];
    const C = NH * HD;
    const rows = randomArray(S * 3 * C, 21);
    const split = (part: number) =>
      Float64Array.from({ length: T * C }, (_, i) => rows[Math.floor(i / C) * 3 * C + part * C + (i % C)]);
    const ref = gqaForwardRef(split(0), split(1), split(2), { B: 1, T, NH, NKV: NH, HD });
    const cache = ctx.upload('cache', rows);
    const [out, att] = [ctx.buffer('out', 2 * C * 4), ctx.buffer('att', NH * 2 * S * 4)];
    // The last two positions as new queries: q read from the cache rows 4 and 5 (qOff skips rows 0..3).
    attentionGqaForward(ctx, {
      B: 1,
      Tq: 2,
      NH,
      NKV: NH,
      HD,
      S,
      pos0: 4,
      q: cache,
      qStride: 3 * C,
      qOff: 4 * 3 * C,
      k: cache,
      v: cache,
      kvStride: 3 * C,
      kOff: C,
      vOff: 2 * C,
      out,
      att,
    });
    check('cached out', await ctx.read(out), ref.out.subarray(4 * C, 6 * C));
    [cache, out, att].forEach((b) => b.destroy());
  });
});

describe('swiglu', () => {
  it.each([1, 37, 1000])('forward and backward match the reference (n=%i)', async (n) => {
    const ctx = await testContext();
    const gate = randomArray(n, n, 6);
    gate.set([-200, 200, 0, -90].slice(0, n));
    const [up, dout] = [randomArray(n, 2), randomArray(n, 3)];
    const [bg, bu, bd] = [gate, up, dout].map((a) => ctx.upload('in', a));
    const [out, dg, du] = [n, n, n].map((c) => ctx.upload('out', randomArray(c, 4)));
    swigluForward(ctx, { gate: bg, up: bu, out, n });
    swigluBackward(ctx, { gate: bg, up: bu, dout: bd, dgate: dg, dup: du, n });
    check(`out n=${n}`, await ctx.read(out), swigluForwardRef(gate, up));
    const g = swigluBackwardRef(gate, up, dout);
    check(`dgate n=${n}`, await ctx.read(dg), g.dgate);
    check(`dup n=${n}`, await ctx.read(du), g.dup);
    [bg, bu, bd, out, dg, du].forEach((b) => b.destroy());
  });
});
