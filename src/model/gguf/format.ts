// Constants of the GGUF container (ggml's docs/gguf.md, version 3; version 2 has the same layout) and of ggml's
// tensor types: the id each type has in a file, and how many elements and bytes one block of it holds.
// Sizes are the block layouts ggml publishes (ggml-common.h); only the types in LOADABLE_TYPES are decoded.

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;
export const GGUF_ALIGNMENT_KEY = 'general.alignment';

/** Metadata value types (gguf_type). */
export const ValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** Bytes of one scalar value of each fixed-size metadata type (strings and arrays are variable). */
export const VALUE_BYTES: Readonly<Record<number, number>> = {
  [ValueType.UINT8]: 1,
  [ValueType.INT8]: 1,
  [ValueType.UINT16]: 2,
  [ValueType.INT16]: 2,
  [ValueType.UINT32]: 4,
  [ValueType.INT32]: 4,
  [ValueType.FLOAT32]: 4,
  [ValueType.BOOL]: 1,
  [ValueType.UINT64]: 8,
  [ValueType.INT64]: 8,
  [ValueType.FLOAT64]: 8,
};

export interface GgmlTypeInfo {
  name: string;
  /** Elements per block (1 for plain types). */
  blockSize: number;
  /** Bytes per block. */
  blockBytes: number;
}

/** ggml_type ids and block layouts. A tensor of an id not listed here cannot be sized, so the file is refused. */
export const GGML_TYPES: Readonly<Record<number, GgmlTypeInfo>> = {
  0: { name: 'F32', blockSize: 1, blockBytes: 4 },
  1: { name: 'F16', blockSize: 1, blockBytes: 2 },
  2: { name: 'Q4_0', blockSize: 32, blockBytes: 18 }, // f16 d, 16 bytes of nibbles
  3: { name: 'Q4_1', blockSize: 32, blockBytes: 20 },
  6: { name: 'Q5_0', blockSize: 32, blockBytes: 22 },
  7: { name: 'Q5_1', blockSize: 32, blockBytes: 24 },
  8: { name: 'Q8_0', blockSize: 32, blockBytes: 34 }, // f16 d, 32 int8
  9: { name: 'Q8_1', blockSize: 32, blockBytes: 36 },
  10: { name: 'Q2_K', blockSize: 256, blockBytes: 84 },
  11: { name: 'Q3_K', blockSize: 256, blockBytes: 110 },
  12: { name: 'Q4_K', blockSize: 256, blockBytes: 144 }, // f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 nibbles
  13: { name: 'Q5_K', blockSize: 256, blockBytes: 176 },
  14: { name: 'Q6_K', blockSize: 256, blockBytes: 210 }, // 128 low nibbles, 64 high 2-bit, 16 int8 scales, f16 d
  15: { name: 'Q8_K', blockSize: 256, blockBytes: 292 },
  24: { name: 'I8', blockSize: 1, blockBytes: 1 },
  25: { name: 'I16', blockSize: 1, blockBytes: 2 },
  26: { name: 'I32', blockSize: 1, blockBytes: 4 },
  27: { name: 'I64', blockSize: 1, blockBytes: 8 },
  28: { name: 'F64', blockSize: 1, blockBytes: 8 },
  30: { name: 'BF16', blockSize: 1, blockBytes: 2 },
};

export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q8_0: 8,
  Q4_K: 12,
  Q6_K: 14,
  BF16: 30,
} as const;
export type LoadableGgmlType = (typeof GgmlType)[keyof typeof GgmlType];

/** The types Editscope decodes (Q4_K_M files mix Q4_K and Q6_K; the official Qwen3 GGUF is Q8_0). */
export const LOADABLE_TYPES: ReadonlySet<number> = new Set(Object.values(GgmlType));

export function ggmlTypeName(id: number): string {
  return GGML_TYPES[id]?.name ?? `type id ${id}`;
}

/** ggml keeps at most 4 dimensions (GGML_MAX_DIMS). */
export const MAX_DIMS = 4;
