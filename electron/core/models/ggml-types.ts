// Byte sizes and names of ggml tensor types for the model library: the one type table lives in
// placement/ggml-types.ts (sizes of tensors, rows and KV cache entries); this adds the type names.
import { GGMLQuantizationType } from '@huggingface/gguf';
import { isKnownType, tensorBytes } from '../placement/ggml-types.js';

/** Bytes of a tensor's data, or null for a type the table does not know. */
export function ggmlTensorBytes(type: number, shape: readonly (number | bigint)[]): number | null {
  return isKnownType(type) ? tensorBytes(type, shape.map(Number)) : null;
}

export function ggmlTypeName(type: number): string {
  return (GGMLQuantizationType as unknown as Record<number, string | undefined>)[type] ?? `type ${type}`;
}
