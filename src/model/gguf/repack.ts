// GGUF Q8_0 / Q4_0 blocks straight into the engine's q8_0 / q4_0 layout (src/reference/quant.ts), with no f32
// round trip: the groups, the f16 scales and the value sets are the same, only the byte order differs (ggml keeps
// each block's scale beside its values and puts element j + 16 of a Q4_0 block in the high nibble of byte j; we
// keep values and scales in separate u32 arrays, nibble j of a group at bits 4j). Rows may be reordered on the way
// (llama.cpp's q/k permutation of Llama models is a row permutation: groups stay whole).
// A tensor's rows are ne1 and its groups run along ne0, the contiguous dimension, as in our storage matrix.

import type { PackedWeight } from '../../reference/quant.ts';
import { GgmlType } from './format.ts';

/** The GGUF types that repack without decoding, and the engine format each becomes. */
export const REPACKABLE: ReadonlyMap<number, 'q8_0' | 'q4_0'> = new Map([
  [GgmlType.Q8_0, 'q8_0'],
  [GgmlType.Q4_0, 'q4_0'],
]);

/**
 * Repacks a (rows, cols) Q8_0 / Q4_0 tensor (cols a multiple of 32, as GGUF requires) into a PackedWeight;
 * destination row r is source row `srcRow(r)` (identity by default).
 */
export function repackGgufBlocks(
  type: typeof GgmlType.Q8_0 | typeof GgmlType.Q4_0,
  bytes: Uint8Array,
  rows: number,
  cols: number,
  srcRow: (r: number) => number = (r) => r,
): PackedWeight {
  if (cols % 32 !== 0) throw new RangeError(`repackGgufBlocks: ${cols} columns is not whole blocks of 32.`);
  const groups = cols / 32;
  const q8 = type === GgmlType.Q8_0;
  const blockBytes = q8 ? 34 : 18;
  if (bytes.length < rows * groups * blockBytes)
    throw new RangeError(`repackGgufBlocks: ${bytes.length} bytes for ${rows}x${cols}.`);
  const data = new Uint32Array((rows * groups * 32) / (q8 ? 4 : 8));
  const scales = new Uint32Array(Math.ceil((rows * groups) / 2));
  for (let r = 0; r < rows; r++) {
    const src = srcRow(r);
    for (let g = 0; g < groups; g++) {
      const blk = (src * groups + g) * blockBytes;
      const k = r * groups + g;
      const half = bytes[blk] | (bytes[blk + 1] << 8);
      // An f16 with every exponent bit set is Inf or NaN: a hostile or broken file, refused like a NaN weight.
      if ((half & 0x7c00) === 0x7c00)
        throw new RangeError(`block ${src * groups + g} has a non-finite scale`);
      scales[k >> 1] |= half << ((k & 1) * 16);
      if (q8) {
        // 32 int8 values = 8 words, byte j at bits 8j: the block's bytes in order.
        const w0 = k * 8;
        for (let w = 0; w < 8; w++) {
          const b = blk + 2 + 4 * w;
          data[w0 + w] = (bytes[b] | (bytes[b + 1] << 8) | (bytes[b + 2] << 16) | (bytes[b + 3] << 24)) >>> 0;
        }
      } else {
        // 32 nibbles = 4 words; element j < 16 is qs[j] & 15, element j + 16 is qs[j] >> 4.
        const w0 = k * 4;
        for (let e = 0; e < 32; e++) {
          const q = bytes[blk + 2 + (e & 15)];
          const nib = e < 16 ? q & 15 : q >> 4;
          data[w0 + (e >> 3)] |= nib << ((e & 7) * 4);
        }
      }
    }
  }
  return { format: q8 ? 'q8_0' : 'q4_0', rows, cols, data, scales };
}

/** The source row of destination row r when undoing llama.cpp's q/k permutation (names.ts unpermuteRope). */
export function unpermutedRow(rows: number, heads: number): (r: number) => number {
  const hd = rows / heads;
  return (r) => {
    const h = Math.floor(r / hd);
    const k = r % hd;
    const j = Math.floor(k / (hd / 2));
    const i = k % (hd / 2);
    return h * hd + 2 * i + j;
  };
}
