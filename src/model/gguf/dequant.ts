// Decoding ggml tensor data to float32, following the block layouts ggml publishes (ggml-common.h and the
// dequantize_row_* routines of ggml-quants.c, read for the layout, not copied). Elements come out in ggml order
// (dims[0] fastest), which is PyTorch's row-major order of the reversed dims.
//
//   Q8_0  32 elements, 34 bytes: f16 d, int8 q[32];                         x = d·q
//   Q4_0  32 elements, 18 bytes: f16 d, u8 qs[16]; element j < 16 is the low nibble of qs[j], j + 16 the high one;
//         x = d·(nibble − 8)
//   Q4_K  256 elements, 144 bytes: f16 d, f16 dmin, u8 scales[12] (8 six-bit scales and 8 six-bit mins), u8 qs[128].
//         Sub-block s (32 elements) has x = d·sc_s·nibble − dmin·m_s; the 256 elements run in 4 chunks of 64,
//         chunk c reading the low nibbles of qs[32c..32c+32) for sub-block 2c and the high ones for 2c + 1.
//   Q6_K  256 elements, 210 bytes: u8 ql[128] (low 4 bits), u8 qh[64] (high 2 bits), int8 scales[16], f16 d.
//         Two halves of 128; in half h, for l < 32: element l, l+32, l+64, l+96 take the low nibble of ql[l],
//         the low nibble of ql[l+32], the high nibble of ql[l], the high nibble of ql[l+32], with bit pairs 0-1,
//         2-3, 4-5, 6-7 of qh[l]; q = (bits) − 32 and x = d·scales[l/16 + 2j]·q (j = 0..3 the four groups).

import { f16BitsToF32 } from '../half.ts';
import { GGML_TYPES, GgmlType, ggmlTypeName } from './format.ts';
import { GgufError } from './reader.ts';

let f16Table: Float32Array | null = null;
function halfTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32(h);
  }
  return f16Table;
}

/** The 6-bit scale and min of Q4_K sub-block j (0..7) from the 12 packed bytes at `s`. */
export function q4kScaleMin(b: Uint8Array, s: number, j: number): [number, number] {
  if (j < 4) return [b[s + j] & 63, b[s + j + 4] & 63];
  return [(b[s + j + 4] & 0xf) | ((b[s + j - 4] >> 6) << 4), (b[s + j + 4] >> 4) | ((b[s + j] >> 6) << 4)];
}

function decodeQ8_0(b: Uint8Array, out: Float32Array, h: Float32Array): void {
  for (let blk = 0, o = 0; o < out.length; blk += 34, o += 32) {
    const d = h[b[blk] | (b[blk + 1] << 8)];
    for (let i = 0; i < 32; i++) out[o + i] = d * ((b[blk + 2 + i] << 24) >> 24);
  }
}

function decodeQ4_0(b: Uint8Array, out: Float32Array, h: Float32Array): void {
  for (let blk = 0, o = 0; o < out.length; blk += 18, o += 32) {
    const d = h[b[blk] | (b[blk + 1] << 8)];
    for (let j = 0; j < 16; j++) {
      const q = b[blk + 2 + j];
      out[o + j] = d * ((q & 0xf) - 8);
      out[o + j + 16] = d * ((q >> 4) - 8);
    }
  }
}

function decodeQ4_K(b: Uint8Array, out: Float32Array, h: Float32Array): void {
  for (let blk = 0, o = 0; o < out.length; blk += 144, o += 256) {
    const d = h[b[blk] | (b[blk + 1] << 8)];
    const dmin = h[b[blk + 2] | (b[blk + 3] << 8)];
    for (let c = 0; c < 4; c++) {
      const [sc1, m1] = q4kScaleMin(b, blk + 4, 2 * c);
      const [sc2, m2] = q4kScaleMin(b, blk + 4, 2 * c + 1);
      const d1 = d * sc1;
      const d2 = d * sc2;
      const n1 = dmin * m1;
      const n2 = dmin * m2;
      const q = blk + 16 + 32 * c;
      for (let l = 0; l < 32; l++) {
        out[o + 64 * c + l] = d1 * (b[q + l] & 0xf) - n1;
        out[o + 64 * c + 32 + l] = d2 * (b[q + l] >> 4) - n2;
      }
    }
  }
}

function decodeQ6_K(b: Uint8Array, out: Float32Array, h: Float32Array): void {
  for (let blk = 0, o = 0; o < out.length; blk += 210, o += 256) {
    const d = h[b[blk + 208] | (b[blk + 209] << 8)];
    for (let half = 0; half < 2; half++) {
      const ql = blk + 64 * half;
      const qh = blk + 128 + 32 * half;
      const sc = blk + 192 + 8 * half;
      const y = o + 128 * half;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const hi = b[qh + l];
        const s0 = d * ((b[sc + is] << 24) >> 24);
        const s1 = d * ((b[sc + is + 2] << 24) >> 24);
        const s2 = d * ((b[sc + is + 4] << 24) >> 24);
        const s3 = d * ((b[sc + is + 6] << 24) >> 24);
        out[y + l] = s0 * (((b[ql + l] & 0xf) | ((hi & 3) << 4)) - 32);
        out[y + l + 32] = s1 * (((b[ql + l + 32] & 0xf) | (((hi >> 2) & 3) << 4)) - 32);
        out[y + l + 64] = s2 * (((b[ql + l] >> 4) | (((hi >> 4) & 3) << 4)) - 32);
        out[y + l + 96] = s3 * (((b[ql + l + 32] >> 4) | (((hi >> 6) & 3) << 4)) - 32);
      }
    }
  }
}

/**
 * Decodes `elements` values of ggml type `type` from `bytes` (exactly the tensor's bytes) into a new Float32Array.
 * `fileName`/`name` only label errors.
 */
export function dequantize(
  type: number,
  bytes: Uint8Array,
  elements: number,
  fileName: string,
  name: string,
): Float32Array {
  const info = GGML_TYPES[type];
  const fail = (p: string) => new GgufError(fileName, `tensor ${JSON.stringify(name)} ${p}`);
  if (!info) throw fail(`has unknown ggml type id ${type}.`);
  if (elements % info.blockSize !== 0 || (elements / info.blockSize) * info.blockBytes !== bytes.length) {
    throw fail(`has ${bytes.length} bytes, which is not ${elements} elements of ${info.name}.`);
  }
  const out = new Float32Array(elements);
  const h = halfTable();
  switch (type) {
    case GgmlType.F32:
      new Uint8Array(out.buffer).set(bytes); // little-endian copy, alignment-free
      return out;
    case GgmlType.F16:
    case GgmlType.BF16: {
      const isBf = type === GgmlType.BF16;
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < elements; i++) {
        const v = bytes[2 * i] | (bytes[2 * i + 1] << 8);
        if (isBf) bits[i] = v << 16;
        else out[i] = h[v];
      }
      return out;
    }
    case GgmlType.Q8_0:
      decodeQ8_0(bytes, out, h);
      return out;
    case GgmlType.Q4_0:
      decodeQ4_0(bytes, out, h);
      return out;
    case GgmlType.Q4_K:
      decodeQ4_K(bytes, out, h);
      return out;
    case GgmlType.Q6_K:
      decodeQ6_K(bytes, out, h);
      return out;
    default:
      throw fail(
        `is ${ggmlTypeName(type)}, which Editscope cannot decode; it reads F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K (re-quantize the file, e.g. to Q4_K_M or Q8_0).`,
      );
  }
}
