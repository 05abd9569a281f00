// gather_q.wgsl against its CPU reference on awkward sizes: rows narrower than a group, not a multiple of 32 or
// of the workgroup, an index past the end (zero row), with and without position rows.

import { describe, it } from 'vitest';
import { gatherPackedRowsRef, packWeight, type QuantFormat } from '../../reference/quant.ts';
import { expectClose, randomArray, testContext } from '../testing.ts';
import { gatherPackedRows } from './gather-quant.ts';

const SHAPES: [number, number][] = [
  [1, 1],
  [7, 33],
  [19, 70],
  [5, 64],
];

describe.each<QuantFormat>(['f16', 'q8_0', 'q4_0'])('gatherPackedRows (%s)', (format) => {
  it('matches the CPU reference, with and without position rows', async () => {
    const ctx = await testContext();
    for (const [V, C] of SHAPES) {
      const w = packWeight(randomArray(V * C, V * 13 + C), V, C, format);
      const idx = Uint32Array.from([0, V - 1, V + 3, Math.floor(V / 2), 0]);
      const T = 2;
      const pos = randomArray(3 * C, C);
      const bufs = {
        w: ctx.upload('w', w.data),
        scales: w.scales ? ctx.upload('s', w.scales) : undefined,
        idx: ctx.upload('idx', idx),
        pos: ctx.upload('pos', pos),
        out: ctx.buffer('out', idx.length * C * 4),
        out2: ctx.buffer('out2', idx.length * C * 4),
      };
      const common = { w: bufs.w, scales: bufs.scales, format, idx: bufs.idx, R: idx.length, C, V };
      gatherPackedRows(ctx, { ...common, out: bufs.out });
      gatherPackedRows(ctx, { ...common, out: bufs.out2, pos: bufs.pos, T });
      expectClose(`${V}x${C}`, await ctx.read(bufs.out), gatherPackedRowsRef(w, idx), 0, 0);
      expectClose(
        `${V}x${C} + pos`,
        await ctx.read(bufs.out2),
        gatherPackedRowsRef(w, idx, { values: pos, T }),
        1e-7,
        1e-7,
      );
      Object.values(bufs).forEach((b) => b?.destroy());
    }
  });
});
