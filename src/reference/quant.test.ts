import { describe, expect, it } from 'vitest';
import { f16BitsToF32, f32ToF16Bits } from '../model/half.ts';
import { uniformArray } from '../util/random.ts';
import {
  gatherPackedRowsRef,
  GROUP,
  packedBytes,
  packWeight,
  packWeightChunked,
  quantMatmulRef,
  unpackWeight,
  type QuantFormat,
} from './quant.ts';
import { matmulRef } from './matmul.ts';

function groupAmax(w: Float32Array, cols: number, r: number, c: number): number {
  const c0 = Math.floor(c / GROUP) * GROUP;
  let m = 0;
  for (let j = c0; j < Math.min(cols, c0 + GROUP); j++) m = Math.max(m, Math.abs(w[r * cols + j]));
  return m;
}

describe('engine weight formats', () => {
  const bound: Record<QuantFormat, (amax: number, x: number) => number> = {
    f16: (_a, x) => Math.abs(x - f16BitsToF32(f32ToF16Bits(x))),
    // Half a step of the f16-rounded scale, plus the scale's own rounding times the largest code.
    q8_0: (a) => (a / 127) * (0.5 + 127 * 2 ** -11) + 1e-7,
    q4_0: (a) => (a / 7) * (0.5 + 7 * 2 ** -11) + 1e-7,
  };
  for (const format of ['f16', 'q8_0', 'q4_0'] as QuantFormat[]) {
    it(`${format} round trips within its error bound on awkward shapes`, () => {
      for (const [rows, cols] of [
        [1, 1],
        [3, 31],
        [5, 33],
        [2, 64],
        [7, 97],
      ]) {
        const w = uniformArray(rows * cols, rows * 13 + cols);
        for (let i = 0; i < w.length; i++) w[i] *= 1 + (i % 5); // groups of different scales
        const back = unpackWeight(packWeight(w, rows, cols, format));
        for (let r = 0; r < rows; r++)
          for (let c = 0; c < cols; c++) {
            const i = r * cols + c;
            expect(Math.abs(back[i] - w[i]), `${format} ${rows}x${cols} [${r},${c}]`).toBeLessThanOrEqual(
              bound[format](groupAmax(w, cols, r, c), w[i]),
            );
          }
      }
    });
  }

  it('keeps an all-zero group at zero and uses the full int4 range', () => {
    const w = new Float32Array(64);
    for (let i = 32; i < 64; i++) w[i] = (i - 48) / 16; // -1 .. 0.94
    const back = unpackWeight(packWeight(w, 1, 64, 'q4_0'));
    expect([...back.subarray(0, 32)].every((v) => v === 0)).toBe(true);
    expect(Math.min(...back)).toBeCloseTo(-1, 3);
  });

  it('the reference matmul equals an f32 matmul on the dequantised weight, for both storage orders', () => {
    const [M, N, K] = [3, 5, 40];
    const a = uniformArray(M * K, 1);
    for (const transB of [false, true]) {
      const [R, C] = transB ? [N, K] : [K, N];
      const p = packWeight(uniformArray(R * C, 2), R, C, 'q8_0');
      const want = matmulRef(a, unpackWeight(p), { M, N, K, transB });
      const got = quantMatmulRef(a, p, { M, N, K, transB });
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    }
  });

  it('counts bytes: 8.5 and 4.5 bits per weight plus row padding to whole groups', () => {
    expect(packedBytes('q8_0', 2048, 2048) / (2048 * 2048)).toBeCloseTo(8.5 / 8);
    expect(packedBytes('q4_0', 2048, 2048) / (2048 * 2048)).toBeCloseTo(4.5 / 8);
    expect(packedBytes('f16', 3, 3)).toBe(20);
    expect(packWeight(new Float32Array(3 * 33), 3, 33, 'q4_0').data.byteLength).toBe(3 * 2 * 16);
  });
  it('packs a matrix chunk by chunk exactly as whole (odd rows, rows narrower or wider than a group)', () => {
    for (const format of ['f16', 'q8_0', 'q4_0'] as QuantFormat[]) {
      for (const [rows, cols] of [
        [7, 33],
        [5, 70],
        [9, 1],
      ]) {
        const w = uniformArray(rows * cols, rows + cols);
        const whole = packWeight(w, rows, cols, format);
        for (const chunk of [2, 4, 64]) {
          const parts = packWeightChunked(
            rows,
            cols,
            format,
            (r0, r1) => w.slice(r0 * cols, r1 * cols),
            chunk,
          );
          expect(Array.from(parts.data), `${format} ${rows}x${cols} /${chunk}`).toEqual(
            Array.from(whole.data),
          );
          expect(parts.scales && Array.from(parts.scales)).toEqual(whole.scales && Array.from(whole.scales));
        }
      }
    }
    expect(() => packWeightChunked(2, 2, 'q8_0', () => new Float32Array(4), 3)).toThrow(/even/);
  });

  it('gathers packed rows as the dequantised matrix rows, zero past the end, plus position rows', () => {
    const p = packWeight(uniformArray(4 * 40, 3), 4, 40, 'q4_0');
    const v = unpackWeight(p);
    const pos = uniformArray(2 * 40, 4);
    const out = gatherPackedRowsRef(p, [2, 9, 0], { values: pos, T: 2 });
    for (let c = 0; c < 40; c++) {
      expect(out[c]).toBeCloseTo(v[2 * 40 + c] + pos[c], 6);
      expect(out[40 + c]).toBeCloseTo(pos[40 + c], 6);
      expect(out[80 + c]).toBeCloseTo(v[c] + pos[c], 6);
    }
  });
});
