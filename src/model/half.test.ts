import { describe, expect, it } from 'vitest';
import { decodeBf16, decodeF16, encodeF16, f16BitsToF32, f32ToF16Bits } from './half.ts';

// Bit patterns from the IEEE 754 binary16 definition (sign 1, exponent 5 bias 15, mantissa 10).
const KNOWN: [number, number][] = [
  [0x0000, 0],
  [0x3c00, 1],
  [0xc000, -2],
  [0x3555, 0.333251953125],
  [0x7bff, 65504], // largest finite
  [0x0400, 2 ** -14], // smallest normal
  [0x0001, 2 ** -24], // smallest subnormal
  [0x03ff, 1023 * 2 ** -24], // largest subnormal
  [0x7c00, Infinity],
  [0xfc00, -Infinity],
];

describe('binary16', () => {
  it('decodes and encodes the defining bit patterns', () => {
    for (const [bits, value] of KNOWN) {
      expect(f16BitsToF32(bits), `0x${bits.toString(16)}`).toBe(value);
      expect(f32ToF16Bits(value), `${value}`).toBe(bits);
    }
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(Number.isNaN(f16BitsToF32(0x7e00))).toBe(true);
    expect(f32ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(f32ToF16Bits(NaN) & 0x3ff).not.toBe(0);
  });

  it('round-trips every finite binary16 value', () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue; // NaN payloads
      const back = f32ToF16Bits(f16BitsToF32(h));
      if (back !== h) mismatches.push(`0x${h.toString(16)} -> 0x${back.toString(16)}`);
      checked++;
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(checked).toBe(65536 - 2 * 1023);
  });

  it('rounds to nearest, ties to even, like torch.Tensor.half()', () => {
    const ulp1 = 2 ** -10; // spacing of binary16 just above 1
    expect(f32ToF16Bits(1 + ulp1 / 2)).toBe(0x3c00); // tie -> even mantissa 0
    expect(f32ToF16Bits(1 + (3 * ulp1) / 2)).toBe(0x3c02); // tie -> even mantissa 2
    expect(f32ToF16Bits(1 + ulp1 / 2 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // halfway to 2^16 rounds to infinity
    expect(f32ToF16Bits(65519)).toBe(0x7bff);
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal -> 0
    expect(f32ToF16Bits(1.5 * 2 ** -24)).toBe(0x0002); // tie between subnormals 1 and 2 -> 2
    expect(f32ToF16Bits(2 ** -26)).toBe(0x0000);
    expect(f32ToF16Bits(1023.5 * 2 ** -24)).toBe(0x0400); // rounds up into the smallest normal
    expect(f32ToF16Bits(1e-40)).toBe(0x0000); // f32 subnormal
  });

  it('decodes arrays of F16 and BF16', () => {
    const out = new Float32Array(3);
    decodeF16(new Uint16Array([0x3c00, 0xc000, 0x0001]), out);
    expect([...out]).toEqual([1, -2, 2 ** -24]);
    // bfloat16 is the top half of a float32: 0x3f80 = 1, 0xc040 = -3, 0x4049 = 3.140625.
    decodeBf16(new Uint16Array([0x3f80, 0xc040, 0x4049]), out);
    expect([...out]).toEqual([1, -3, 3.140625]);
    expect([...encodeF16(new Float32Array([1, -2, 65504]))]).toEqual([0x3c00, 0xc000, 0x7bff]);
  });
});
