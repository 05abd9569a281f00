// The engine's reduced-precision weight formats, packed on the CPU, and the CPU reference for
// shaders/matmul_q*.wgsl. A weight is stored as its (R, C) storage matrix (R = nIn, C = nOut for GPT-2's Conv1D
// 'in_out'; R = nOut, C = nIn for nn.Linear 'out_in'); groups run along C, the contiguous dimension:
//
//   f16   IEEE binary16, two per u32 word (element e in the low half when e is even), row-major, no padding.
//   q8_0  int8 symmetric, groups of 32 along C, one f16 scale per group: w = s·q, q ∈ [−127, 127], s = amax/127.
//         Rows padded to whole groups: row r holds ceil(C/32)·32 bytes (4 per u32, byte j at bits 8j).
//   q4_0  4-bit symmetric, groups of 32, one f16 scale: w = s·(n − 8) with the nibble n ∈ [0, 15] (q = n − 8 ∈
//         [−8, 7]); we quantize with s = amax/7 so q ∈ [−7, 7]. 8 nibbles per u32, nibble j at bits 4j, rows
//         padded to whole groups (16 bytes per group).
//   Scales: f16, row-major (R, ceil(C/32)), two per u32 word.
//
// Why these: they are ggml's Q8_0/Q4_0 (same groups, scales and value sets), so GGUF Q8_0/Q4_0 tensors of nn.Linear
// weights load without re-quantization, only repacking; group 32 with f16 scales costs 0.5 bit per weight
// (8.5 and 4.5 bits in all), and groups along the contiguous dimension keep a group inside one row for both
// storage orders. Symmetric int4 loses a little accuracy against affine (Q4_1) but needs no zero point per group.

import { f16BitsToF32, f32ToF16Bits } from '../model/half.ts';

export type QuantFormat = 'f16' | 'q8_0' | 'q4_0';
export const GROUP = 32;

export interface PackedWeight {
  format: QuantFormat;
  rows: number;
  cols: number;
  /** Packed values (see the header). */
  data: Uint32Array;
  /** f16 scales, two per word (absent for f16). */
  scales?: Uint32Array;
}

/** Bytes on the GPU of a (rows, cols) weight in `format` (data + scales, each rounded to words). */
export function packedBytes(format: QuantFormat | 'f32', rows: number, cols: number): number {
  const groups = Math.ceil(cols / GROUP);
  if (format === 'f32') return rows * cols * 4;
  if (format === 'f16') return Math.ceil((rows * cols) / 2) * 4;
  const scales = Math.ceil((rows * groups) / 2) * 4;
  return rows * groups * (format === 'q8_0' ? 32 : 16) + scales;
}

function setHalf(words: Uint32Array, i: number, bits: number): void {
  words[i >> 1] |= bits << ((i & 1) * 16);
}

function getHalf(words: Uint32Array, i: number): number {
  return f16BitsToF32((words[i >> 1] >>> ((i & 1) * 16)) & 0xffff);
}

/** Packs a row-major (rows, cols) f32 matrix into `format`. */
export function packWeight(w: Float32Array, rows: number, cols: number, format: QuantFormat): PackedWeight {
  if (w.length !== rows * cols) throw new RangeError(`packWeight: ${w.length} values for ${rows}x${cols}.`);
  if (format === 'f16') {
    const data = new Uint32Array(Math.ceil((rows * cols) / 2));
    for (let i = 0; i < w.length; i++) setHalf(data, i, f32ToF16Bits(w[i]));
    return { format, rows, cols, data };
  }
  const groups = Math.ceil(cols / GROUP);
  const perWord = format === 'q8_0' ? 4 : 8;
  const bits = 32 / perWord;
  const qmax = format === 'q8_0' ? 127 : 7;
  const data = new Uint32Array((rows * groups * GROUP) / perWord);
  const scales = new Uint32Array(Math.ceil((rows * groups) / 2));
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      const c0 = g * GROUP;
      const c1 = Math.min(cols, c0 + GROUP);
      let amax = 0;
      for (let c = c0; c < c1; c++) amax = Math.max(amax, Math.abs(w[r * cols + c]));
      const sBits = f32ToF16Bits(amax / qmax);
      setHalf(scales, r * groups + g, sBits);
      const s = f16BitsToF32(sBits); // quantize against the scale the kernel will see
      for (let c = c0; c < c1; c++) {
        const q =
          s === 0
            ? 0
            : Math.max(-qmax - (format === 'q4_0' ? 1 : 0), Math.min(qmax, Math.round(w[r * cols + c] / s)));
        const idx = r * groups * GROUP + c;
        const code = format === 'q8_0' ? q & 0xff : q + 8;
        data[Math.floor(idx / perWord)] |= code << ((idx % perWord) * bits);
      }
    }
  }
  return { format, rows, cols, data, scales };
}

/** The (rows, cols) f32 matrix a packed weight stands for. */
export function unpackWeight(p: PackedWeight): Float32Array {
  const { rows, cols } = p;
  const out = new Float32Array(rows * cols);
  if (p.format === 'f16') {
    for (let i = 0; i < out.length; i++) out[i] = getHalf(p.data, i);
    return out;
  }
  const groups = Math.ceil(cols / GROUP);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const s = getHalf(p.scales!, r * groups + Math.floor(c / GROUP));
      const idx = r * groups * GROUP + c;
      const q =
        p.format === 'q8_0'
          ? ((p.data[idx >> 2] >>> ((idx & 3) * 8)) << 24) >> 24
          : ((p.data[idx >> 3] >>> ((idx & 7) * 4)) & 15) - 8;
      out[r * cols + c] = s * q;
    }
  }
  return out;
}

export interface QuantMatmulShape {
  M: number;
  N: number;
  K: number;
  /** The weight is stored (N, K) (out_in forward, in_out backward); else (K, N). */
  transB: boolean;
}

/** C (M, N) = A (M, K)·op(W) (+ bias) (+ C), W the dequantised packed weight; f64 accumulation. */
export function quantMatmulRef(
  a: Float32Array,
  w: PackedWeight,
  { M, N, K, transB }: QuantMatmulShape,
  bias?: Float32Array,
  accumulateInto?: Float32Array,
): Float32Array {
  const [R, C] = transB ? [N, K] : [K, N];
  if (w.rows !== R || w.cols !== C)
    throw new RangeError(`quantMatmulRef: weight ${w.rows}x${w.cols}, want ${R}x${C}.`);
  const v = unpackWeight(w);
  const out = accumulateInto ? Float32Array.from(accumulateInto) : new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = bias ? bias[n] : 0;
      for (let k = 0; k < K; k++) s += a[m * K + k] * (transB ? v[n * K + k] : v[k * N + n]);
      out[m * N + n] += s;
    }
  }
  return out;
}

/** CPU reference for shaders/gather_q.wgsl: out[r] = W[idx[r]] (+ pos[r % T]), W a packed (V, C) matrix. */
export function gatherPackedRowsRef(
  w: PackedWeight,
  idx: ArrayLike<number>,
  pos?: { values: ArrayLike<number>; T: number },
): Float32Array {
  const { rows: V, cols: C } = w;
  const v = unpackWeight(w);
  const out = new Float32Array(idx.length * C);
  for (let r = 0; r < idx.length; r++) {
    for (let c = 0; c < C; c++) {
      const base = idx[r] < V ? v[idx[r] * C + c] : 0;
      out[r * C + c] = base + (pos ? pos.values[(r % pos.T) * C + c] : 0);
    }
  }
  return out;
}

/**
 * Packs a (rows, cols) matrix produced `chunkRows` rows at a time (`rowsAt(r0, r1)` returns rows r0..r1−1,
 * row-major), so a large tensor (a 151,936-row embedding) is never whole in f32 on the CPU. Row chunks pack
 * independently (groups never cross a row), and an even chunk keeps every chunk on whole u32 words of data
 * and scales, so the result equals packWeight of the whole matrix.
 */
export function packWeightChunked(
  rows: number,
  cols: number,
  format: QuantFormat,
  rowsAt: (r0: number, r1: number) => Float32Array,
  chunkRows = 1024,
): PackedWeight {
  if (chunkRows % 2 !== 0 || chunkRows < 2)
    throw new RangeError('packWeightChunked: chunkRows must be even.');
  const whole = { rows, cols, format };
  const size = (r: number) => packedWordCounts(format, r, cols);
  const total = size(rows);
  const data = new Uint32Array(total.data);
  const scales = format === 'f16' ? undefined : new Uint32Array(total.scales);
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const r1 = Math.min(rows, r0 + chunkRows);
    const part = packWeight(rowsAt(r0, r1), r1 - r0, cols, format);
    const at = size(r0);
    data.set(part.data, at.data);
    if (scales && part.scales) scales.set(part.scales, at.scales);
  }
  return { ...whole, data, ...(scales ? { scales } : {}) };
}

/** u32 words of data and scales of a (rows, cols) matrix in `format` (packWeight's array lengths). */
function packedWordCounts(format: QuantFormat, rows: number, cols: number): { data: number; scales: number } {
  if (format === 'f16') return { data: Math.ceil((rows * cols) / 2), scales: 0 };
  const groups = Math.ceil(cols / GROUP);
  return {
    data: (rows * groups * GROUP) / (format === 'q8_0' ? 4 : 8),
    scales: Math.ceil((rows * groups) / 2),
  };
}
