// Test and tool code only: reference quantizers for the ggml block types, written from the block layouts
// (ggml-common.h's structs) independently of dequant.ts, so the round trip checks one against the other. They are
// deliberately simple (round to nearest with scales that never clip), not ggml's error-minimising searches: a
// decoder that reads a field from the wrong place fails the round trip whichever quantizer made the block.

import { f32ToF16Bits, f16BitsToF32 } from '../half.ts';
import { GgmlType } from './format.ts';

function putF16(out: Uint8Array, at: number, x: number): number {
  const h = f32ToF16Bits(x);
  out[at] = h & 0xff;
  out[at + 1] = h >> 8;
  return f16BitsToF32(h); // the value the decoder will see
}

function amax(x: Float32Array, from: number, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(x[from + i]));
  return m;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function quantizeQ8_0(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 32) * 34);
  for (let b = 0; b < x.length / 32; b++) {
    const d = putF16(out, 34 * b, amax(x, 32 * b, 32) / 127);
    for (let i = 0; i < 32; i++) {
      out[34 * b + 2 + i] = clamp(Math.round(d ? x[32 * b + i] / d : 0), -127, 127) & 0xff;
    }
  }
  return out;
}

export function quantizeQ4_0(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 32) * 18);
  for (let b = 0; b < x.length / 32; b++) {
    const d = putF16(out, 18 * b, amax(x, 32 * b, 32) / 7);
    const q = (i: number) => clamp(Math.round(d ? x[32 * b + i] / d : 0), -8, 7) + 8;
    for (let j = 0; j < 16; j++) out[18 * b + 2 + j] = q(j) | (q(j + 16) << 4);
  }
  return out;
}

/** Q4_K: per 32-element sub-block x ≈ d·sc·q − dmin·m with 6-bit sc, m and 4-bit q. */
export function quantizeQ4_K(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 256) * 144);
  for (let b = 0; b < x.length / 256; b++) {
    const base = 256 * b;
    const lo: number[] = [];
    const hi: number[] = [];
    for (let s = 0; s < 8; s++) {
      let mn = 0;
      let mx = 0;
      for (let i = 0; i < 32; i++) {
        mn = Math.min(mn, x[base + 32 * s + i]);
        mx = Math.max(mx, x[base + 32 * s + i]);
      }
      lo.push(-mn);
      hi.push(mx);
    }
    const o = 144 * b;
    const dmin = putF16(out, o + 2, Math.max(...lo) / 63);
    // Mins round up so the grid starts at or below the smallest value; scales then round up to reach the largest.
    const m = lo.map((v) => (dmin ? clamp(Math.ceil(v / dmin), 0, 63) : 0));
    const need = hi.map((v, s) => (v + dmin * m[s]) / 15);
    const d = putF16(out, o, Math.max(...need) / 63);
    const sc = need.map((v) => (d ? clamp(Math.ceil(v / d - 1e-6), 0, 63) : 0));
    for (let j = 0; j < 4; j++) {
      out[o + 4 + j] = sc[j] | ((sc[j + 4] >> 4) << 6);
      out[o + 8 + j] = m[j] | ((m[j + 4] >> 4) << 6);
      out[o + 12 + j] = (sc[j + 4] & 15) | ((m[j + 4] & 15) << 4);
    }
    const q = (s: number, i: number) => {
      const step = d * sc[s];
      return step ? clamp(Math.round((x[base + 32 * s + i] + dmin * m[s]) / step), 0, 15) : 0;
    };
    for (let c = 0; c < 4; c++) {
      for (let l = 0; l < 32; l++) out[o + 16 + 32 * c + l] = q(2 * c, l) | (q(2 * c + 1, l) << 4);
    }
  }
  return out;
}

/** Q6_K: per 16-element sub-block x ≈ d·sc·q with int8 sc and q in −32..31. */
export function quantizeQ6_K(x: Float32Array): Uint8Array {
  const out = new Uint8Array((x.length / 256) * 210);
  for (let b = 0; b < x.length / 256; b++) {
    const base = 256 * b;
    const o = 210 * b;
    const want = Array.from({ length: 16 }, (_, s) => amax(x, base + 16 * s, 16) / 31);
    const d = putF16(out, o + 208, Math.max(...want) / 127);
    const sc = want.map((v) => (d ? clamp(Math.ceil(v / d - 1e-6), -128, 127) : 0));
    sc.forEach((v, s) => (out[o + 192 + s] = v & 0xff));
    for (let e = 0; e < 256; e++) {
      const s = e >> 4;
      const step = d * sc[s];
      const q6 = (step ? clamp(Math.round(x[base + e] / step), -32, 31) : 0) + 32;
      const half = e >> 7;
      const j = (e >> 5) & 3;
      const l = e & 31;
      const qlAt = o + 64 * half + l + (j & 1 ? 32 : 0);
      out[qlAt] |= j < 2 ? q6 & 15 : (q6 & 15) << 4;
      out[o + 128 + 32 * half + l] |= (q6 >> 4) << (2 * j);
    }
  }
  return out;
}

/** Bytes of `x` as ggml type `type` (F32, F16, BF16 and the quantized types above). */
export function encodeGgml(type: number, x: Float32Array): Uint8Array {
  switch (type) {
    case GgmlType.F32:
      return new Uint8Array(Float32Array.from(x).buffer);
    case GgmlType.F16:
    case GgmlType.BF16: {
      const out = new Uint16Array(x.length);
      const f = new Float32Array(1);
      const u = new Uint32Array(f.buffer);
      for (let i = 0; i < x.length; i++) {
        f[0] = x[i];
        // BF16 by round-to-nearest-even on the top 16 bits (NaN-free test data).
        out[i] = type === GgmlType.F16 ? f32ToF16Bits(x[i]) : (u[0] + 0x7fff + ((u[0] >> 16) & 1)) >>> 16;
      }
      return new Uint8Array(out.buffer);
    }
    case GgmlType.Q8_0:
      return quantizeQ8_0(x);
    case GgmlType.Q4_0:
      return quantizeQ4_0(x);
    case GgmlType.Q4_K:
      return quantizeQ4_K(x);
    case GgmlType.Q6_K:
      return quantizeQ6_K(x);
    default:
      throw new RangeError(`No test quantizer for ggml type ${type}.`);
  }
}
