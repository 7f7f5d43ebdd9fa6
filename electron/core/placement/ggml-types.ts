// Sizes of ggml tensor types: bytes of a tensor from its shape and type, and of KV cache rows.
import type { KvCacheType } from '../../contract/placement.js';

/** ggml type id → [elements per block, bytes per block]. */
const LAYOUT: Record<number, readonly [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17], // MXFP4
  40: [64, 36], // NVFP4
  41: [128, 18], // Q1_0
  42: [64, 18], // Q2_0
};

const KV_TYPE_ID: Record<KvCacheType, number> = { f32: 0, f16: 1, bf16: 30, q8_0: 8, q4_0: 2, q4_1: 3, iq4_nl: 20, q5_0: 6, q5_1: 7 };

export function isKnownType(type: number): boolean {
  return LAYOUT[type] !== undefined;
}

/** Bytes of a row of `n` elements of a ggml type (ggml_row_size). */
export function rowBytes(type: number, n: number): number {
  const layout = LAYOUT[type];
  if (!layout) throw new Error(`unknown ggml tensor type ${type}`);
  return Math.ceil(n / layout[0]) * layout[1];
}

/** Bytes of a tensor: ne[0] is the row, the other dimensions count rows. */
export function tensorBytes(type: number, shape: readonly number[]): number {
  const rows = shape.slice(1).reduce((a, b) => a * b, 1);
  return rowBytes(type, shape[0] ?? 1) * rows;
}

export function kvRowBytes(type: KvCacheType, n: number): number {
  return rowBytes(KV_TYPE_ID[type], n);
}

/** Elements per block of a KV type (quantized types need head dims divisible by it). */
export function kvBlockSize(type: KvCacheType): number {
  return LAYOUT[KV_TYPE_ID[type]]![0];
}

export function isQuantizedKv(type: KvCacheType): boolean {
  return kvBlockSize(type) > 1;
}
