// A small GGUF v3 writer for test and benchmark fixtures: metadata of every GGUF value type (arrays and
// nested arrays too), tensor infos with ggml types and shapes, `general.alignment`. Tensor data is never
// written: the file is extended to its full length with ftruncate, leaving a hole (a sparse file), so a
// "5 GB" model costs a few MB of disk and reads back as zeros. Erasable TS only (benchmarks import it
// with Node's type stripping), and self-contained (its own ggml size table, so tests of the library's
// size arithmetic compare two independent sources).
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

export type GgufNumberType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
export type GgufBigType = 'uint64' | 'int64';

export type GgufScalar = { type: GgufNumberType; value: number } | { type: GgufBigType; value: number | bigint } | { type: 'bool'; value: boolean } | { type: 'string'; value: string };

export type GgufItemType = GgufNumberType | GgufBigType | 'bool' | 'string' | 'array';

/** `value` holds items of `itemType`; for `itemType: 'array'` each item is itself a GgufArray. */
export interface GgufArray {
  type: 'array';
  itemType: GgufItemType;
  value: (number | bigint | boolean | string | GgufArray)[];
}

export type GgufValue = GgufScalar | GgufArray;
export type GgufKv = Record<string, GgufValue>;

export interface GgufTensorSpec {
  name: string;
  /** ggml order: ne[0] (the contiguous row) first. */
  shape: number[];
  /** ggml type id (0 F32, 1 F16, 8 Q8_0, 12 Q4_K, 14 Q6_K, 30 BF16, …). */
  type: number;
}

export const GGML = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  IQ4_XS: 23,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  IQ1_M: 29,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
  MXFP4: 39,
} as const;

/** [elements per block, bytes per block] per ggml type (ggml-common.h). */
const TYPE_LAYOUT: Record<number, [number, number]> = {
  0: [1, 4],
  1: [1, 2],
  2: [32, 18],
  3: [32, 20],
  6: [32, 22],
  7: [32, 24],
  8: [32, 34],
  9: [32, 36],
  10: [256, 84],
  11: [256, 110],
  12: [256, 144],
  13: [256, 176],
  14: [256, 210],
  15: [256, 292],
  16: [256, 66],
  17: [256, 74],
  18: [256, 98],
  19: [256, 50],
  20: [32, 18],
  21: [256, 110],
  22: [256, 82],
  23: [256, 136],
  24: [1, 1],
  25: [1, 2],
  26: [1, 4],
  27: [1, 8],
  28: [1, 8],
  29: [256, 56],
  30: [1, 2],
  34: [256, 54],
  35: [256, 66],
  39: [32, 17],
};

const VALUE_TYPE: Record<GgufItemType, number> = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
};

export function tensorBytes(t: GgufTensorSpec): number {
  const layout = TYPE_LAYOUT[t.type];
  if (!layout) throw new Error(`gguf-writer: unsupported ggml type ${t.type} for ${t.name}`);
  const [block, size] = layout;
  const ne0 = t.shape[0] ?? 1;
  if (ne0 % block !== 0) throw new Error(`gguf-writer: ${t.name}: row of ${ne0} is not a multiple of the block size ${block}`);
  const rows = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return (ne0 / block) * size * rows;
}

class Bytes {
  private readonly chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  num(type: GgufNumberType | GgufBigType, n: number | bigint): void {
    const width = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8, uint64: 8, int64: 8 }[type];
    const b = Buffer.alloc(width);
    if (type === 'uint8') b.writeUInt8(Number(n));
    else if (type === 'int8') b.writeInt8(Number(n));
    else if (type === 'uint16') b.writeUInt16LE(Number(n));
    else if (type === 'int16') b.writeInt16LE(Number(n));
    else if (type === 'uint32') b.writeUInt32LE(Number(n) >>> 0);
    else if (type === 'int32') b.writeInt32LE(Number(n));
    else if (type === 'float32') b.writeFloatLE(Number(n));
    else if (type === 'float64') b.writeDoubleLE(Number(n));
    else if (type === 'uint64') b.writeBigUInt64LE(BigInt(n));
    else b.writeBigInt64LE(BigInt(n));
    this.push(b);
  }
  str(s: string): void {
    const data = Buffer.from(s, 'utf8');
    this.num('uint64', data.length);
    this.push(data);
  }
  concat(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function writeItem(out: Bytes, type: GgufItemType, v: GgufArray['value'][number]): void {
  if (type === 'string') out.str(v as string);
  else if (type === 'bool') out.push(Buffer.from([v ? 1 : 0]));
  else if (type === 'array') writeArrayBody(out, v as GgufArray);
  else out.num(type, v as number | bigint);
}

function writeArrayBody(out: Bytes, a: GgufArray): void {
  out.num('uint32', VALUE_TYPE[a.itemType]);
  out.num('uint64', a.value.length);
  for (const item of a.value) writeItem(out, a.itemType, item);
}

function writeValue(out: Bytes, v: GgufValue): void {
  out.num('uint32', VALUE_TYPE[v.type]);
  if (v.type === 'array') writeArrayBody(out, v);
  else writeItem(out, v.type, v.value);
}

export interface GgufLayout {
  /** Total file size. */
  size: number;
  /** Offset of the tensor data section. */
  dataOffset: number;
  /** Byte size of each tensor's data, in the order given. */
  tensorBytes: number[];
}

/**
 * Write a GGUF v3 file whose tensor data is a hole. The alignment is `general.alignment` when the
 * metadata sets it (as a uint32), else 32. Returns the layout; `writeSparseGguf` returns just the size.
 */
export function writeGguf(path: string, kv: GgufKv, tensors: GgufTensorSpec[], opts: { version?: number } = {}): GgufLayout {
  const alignKv = kv['general.alignment'];
  const alignment = alignKv && alignKv.type === 'uint32' ? alignKv.value : 32;
  const pad = (n: number) => Math.ceil(n / alignment) * alignment;
  const out = new Bytes();
  out.push(Buffer.from('GGUF', 'ascii'));
  out.num('uint32', opts.version ?? 3);
  out.num('uint64', tensors.length);
  out.num('uint64', Object.keys(kv).length);
  for (const [key, value] of Object.entries(kv)) {
    out.str(key);
    writeValue(out, value);
  }
  let offset = 0;
  const sizes: number[] = [];
  for (const t of tensors) {
    out.str(t.name);
    out.num('uint32', t.shape.length);
    for (const d of t.shape) out.num('uint64', d);
    out.num('uint32', t.type);
    out.num('uint64', offset);
    const bytes = tensorBytes(t);
    sizes.push(bytes);
    offset = pad(offset + bytes);
  }
  const header = out.concat();
  const dataOffset = pad(header.length);
  const size = dataOffset + offset;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  return { size, dataOffset, tensorBytes: sizes };
}

/** Write a GGUF v3 file whose tensor data is a hole; returns the file size in bytes. */
export function writeSparseGguf(path: string, kv: GgufKv, tensors: GgufTensorSpec[]): number {
  return writeGguf(path, kv, tensors).size;
}

export interface LlamaShape {
  name: string;
  architecture?: string;
  blocks: number;
  embd: number;
  ffn: number;
  heads: number;
  headsKv: number;
  vocab: number;
  context: number;
  /** `general.file_type` (15 = Q4_K_M, 7 = Q8_0, 1 = F16). */
  fileType: number;
  /** ggml type of most weights (12 Q4_K for Q4_K_M). */
  weightType: number;
  /** ggml type of attn_v / ffn_down in the "more bits" layers and of output.weight (14 Q6_K for Q4_K_M). */
  moreBitsType?: number;
  /** Experts per MoE layer (0/undefined: dense). */
  experts?: number;
  expertsUsed?: number;
  slidingWindow?: number;
  chatTemplate?: string | null;
  /** Write the vocab as a string array (realistic header size; default true). */
  writeVocab?: boolean;
}

/** llama.cpp's `use_more_bits`: the first and last eighth of the layers and every third one between. */
function useMoreBits(i: number, n: number): boolean {
  return i < n / 8 || i >= (7 * n) / 8 || (i - Math.floor(n / 8)) % 3 === 2;
}

/** Metadata and tensors of a llama-style model, typed like a llama.cpp quantization of it. */
export function llamaModel(s: LlamaShape): { kv: GgufKv; tensors: GgufTensorSpec[] } {
  const arch = s.architecture ?? 'llama';
  const more = s.moreBitsType ?? s.weightType;
  const kvDim = (s.embd / s.heads) * s.headsKv;
  const kv: GgufKv = {
    'general.architecture': { type: 'string', value: arch },
    'general.name': { type: 'string', value: s.name },
    'general.file_type': { type: 'uint32', value: s.fileType },
    'general.quantization_version': { type: 'uint32', value: 2 },
    [`${arch}.context_length`]: { type: 'uint32', value: s.context },
    [`${arch}.block_count`]: { type: 'uint32', value: s.blocks },
    [`${arch}.embedding_length`]: { type: 'uint32', value: s.embd },
    [`${arch}.feed_forward_length`]: { type: 'uint32', value: s.ffn },
    [`${arch}.attention.head_count`]: { type: 'uint32', value: s.heads },
    [`${arch}.attention.head_count_kv`]: { type: 'uint32', value: s.headsKv },
    [`${arch}.rope.freq_base`]: { type: 'float32', value: 500000 },
    [`${arch}.attention.layer_norm_rms_epsilon`]: { type: 'float32', value: 1e-5 },
    'tokenizer.ggml.model': { type: 'string', value: 'gpt2' },
  };
  if (s.experts) {
    kv[`${arch}.expert_count`] = { type: 'uint32', value: s.experts };
    kv[`${arch}.expert_used_count`] = { type: 'uint32', value: s.expertsUsed ?? 2 };
  }
  if (s.slidingWindow) kv[`${arch}.attention.sliding_window`] = { type: 'uint32', value: s.slidingWindow };
  if (s.writeVocab ?? true) kv['tokenizer.ggml.tokens'] = { type: 'array', itemType: 'string', value: Array.from({ length: s.vocab }, (_, i) => `tok${i}`) };
  if (s.chatTemplate !== null) kv['tokenizer.chat_template'] = { type: 'string', value: s.chatTemplate ?? "{% for m in messages %}{{ m['content'] }}{% endfor %}" };

  const tensors: GgufTensorSpec[] = [{ name: 'token_embd.weight', shape: [s.embd, s.vocab], type: s.weightType }];
  for (let i = 0; i < s.blocks; i++) {
    const b = `blk.${i}`;
    const vType = useMoreBits(i, s.blocks) ? more : s.weightType;
    tensors.push(
      { name: `${b}.attn_norm.weight`, shape: [s.embd], type: GGML.F32 },
      { name: `${b}.attn_q.weight`, shape: [s.embd, s.embd], type: s.weightType },
      { name: `${b}.attn_k.weight`, shape: [s.embd, kvDim], type: s.weightType },
      { name: `${b}.attn_v.weight`, shape: [s.embd, kvDim], type: vType },
      { name: `${b}.attn_output.weight`, shape: [s.embd, s.embd], type: s.weightType },
      { name: `${b}.ffn_norm.weight`, shape: [s.embd], type: GGML.F32 },
    );
    if (s.experts) {
      tensors.push(
        { name: `${b}.ffn_gate_inp.weight`, shape: [s.embd, s.experts], type: GGML.F32 },
        { name: `${b}.ffn_gate_exps.weight`, shape: [s.embd, s.ffn, s.experts], type: s.weightType },
        { name: `${b}.ffn_up_exps.weight`, shape: [s.embd, s.ffn, s.experts], type: s.weightType },
        { name: `${b}.ffn_down_exps.weight`, shape: [s.ffn, s.embd, s.experts], type: vType },
      );
    } else {
      tensors.push(
        { name: `${b}.ffn_gate.weight`, shape: [s.embd, s.ffn], type: s.weightType },
        { name: `${b}.ffn_up.weight`, shape: [s.embd, s.ffn], type: s.weightType },
        { name: `${b}.ffn_down.weight`, shape: [s.ffn, s.embd], type: vType },
      );
    }
  }
  tensors.push({ name: 'output_norm.weight', shape: [s.embd], type: GGML.F32 }, { name: 'output.weight', shape: [s.embd, s.vocab], type: more });
  return { kv, tensors };
}

/** Llama-3.1-8B-Instruct as llama.cpp quantizes it to Q4_K_M (real file: 4.92 GB). */
export const LLAMA_3_1_8B_Q4_K_M: LlamaShape = {
  name: 'Meta Llama 3.1 8B Instruct',
  blocks: 32,
  embd: 4096,
  ffn: 14336,
  heads: 32,
  headsKv: 8,
  vocab: 128256,
  context: 131072,
  fileType: 15,
  weightType: GGML.Q4_K,
  moreBitsType: GGML.Q6_K,
};
