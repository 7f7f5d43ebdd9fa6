// Byte sizes of ggml tensor types (ggml-common.h block layouts), for per-tensor and per-layer sizes.
import { GGMLQuantizationType } from '@huggingface/gguf';

/** [elements per block, bytes per block] per ggml type id. */
const LAYOUT: Record<number, readonly [number, number]> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36],
  10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292],
  16: [256, 66], 17: [256, 74], 18: [256, 98], 19: [256, 50], 20: [32, 18], 21: [256, 110], 22: [256, 82],
  23: [256, 136], 24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8], 29: [256, 56], 30: [1, 2],
  34: [256, 54], 35: [256, 66], 39: [32, 17],
};

/** Bytes of a tensor's data, or null for a type this table does not know. */
export function ggmlTensorBytes(type: number, shape: readonly (number | bigint)[]): number | null {
  const layout = LAYOUT[type];
  if (!layout) return null;
  const [block, size] = layout;
  const elements = shape.reduce<number>((a, d) => a * Number(d), 1);
  return Math.ceil(elements / block) * size;
}

export function ggmlTypeName(type: number): string {
  return (GGMLQuantizationType as unknown as Record<number, string | undefined>)[type] ?? `type ${type}`;
}
