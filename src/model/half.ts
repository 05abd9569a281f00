// IEEE 754 binary16 (F16) and bfloat16 (BF16) <-> float32 conversions for safetensors I/O. Node 20 has no
// Float16Array, so decoding goes through a 65,536-entry table and encoding rounds to nearest, ties to even
// (what torch.Tensor.half() does).

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** The float32 value of one binary16 bit pattern (exact: every f16 is an f32). */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero or subnormal
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The binary16 bit pattern nearest to `x` (ties to even; overflow to infinity; NaN stays NaN). */
export function f32ToF16Bits(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15; // rebias the exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal f16: value = m * 2^-24, and the f32 value is (1.mant) * 2^(e - 15), so m = M >> (14 - e).
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    const full = mant | 0x800000;
    const shift = 14 - e;
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && m & 1)) m++;
    return sign | m; // a carry out of the mantissa correctly gives the smallest normal
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry may reach 0x7c00 = infinity, as it should
  return sign | h;
}

let f16Table: Float32Array | null = null;

/** Decodes binary16 values into float32 (`out.length === src.length`). */
export function decodeF16(src: Uint16Array, out: Float32Array): void {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32(h);
  }
  const table = f16Table;
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
}

/** Decodes bfloat16 values (the top 16 bits of a float32) into float32. */
export function decodeBf16(src: Uint16Array, out: Float32Array): void {
  const outBits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) outBits[i] = src[i] << 16;
}

/** Encodes float32 values as binary16 bit patterns. */
export function encodeF16(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToF16Bits(src[i]);
  return out;
}
