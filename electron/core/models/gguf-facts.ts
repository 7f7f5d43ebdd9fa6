// Reading a GGUF file's header (magic, version, metadata, tensor infos) with @huggingface/gguf, and
// turning one or more parsed shards into ModelFacts. `readGguf` does the I/O and the integrity checks;
// `factsFromGguf` is pure.
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { GGMLFileQuantizationType, gguf, parseGGUFQuantLabel } from '@huggingface/gguf';
import type { LayerBytes, ModelFacts, TensorBytes } from '../../contract/index.js';
import { ModelError } from './errors.js';
import { ggmlTensorBytes, ggmlTypeName } from './ggml-types.js';

export interface GgufTensor {
  name: string;
  shape: number[];
  type: number;
  /** Offset within the data section. */
  offset: number;
  bytes: number;
}

export interface ParsedGguf {
  path: string;
  sizeBytes: number;
  version: number;
  metadata: Record<string, unknown>;
  tensors: GgufTensor[];
  dataOffset: number;
}

const MAGIC = Buffer.from('GGUF', 'ascii');

/** Parse and check one GGUF file: magic, version 2 or 3, a readable header, and every tensor's bytes present. */
export async function readGguf(path: string, name = basename(path)): Promise<ParsedGguf> {
  const { size } = await stat(path);
  const head = Buffer.alloc(8);
  const fh = await open(path, 'r');
  try {
    await fh.read(head, 0, 8, 0);
  } finally {
    await fh.close();
  }
  if (size < 8 || !head.subarray(0, 4).equals(MAGIC)) {
    if (size >= 4 && head.subarray(0, 4).equals(MAGIC)) throw truncated(name, 'the header ends after the magic number');
    throw new ModelError('not_gguf', `${name} is not a GGUF model file (it does not start with the bytes 'GGUF'${size === 0 ? '; the file is empty' : ''})`, 'path');
  }
  const version = head.readUInt32LE(4);
  if (version !== 2 && version !== 3) {
    throw new ModelError('unsupported_gguf_version', `${name} is GGUF version ${version}; llama.cpp reads versions 2 and 3 (re-convert the model with a current llama.cpp)`, 'path');
  }
  let parsed: Awaited<ReturnType<typeof gguf>>;
  try {
    parsed = await gguf(path, { allowLocalFile: true });
  } catch (err) {
    if (err instanceof RangeError) throw truncated(name, 'the header ends early');
    throw new ModelError('invalid_gguf', `${name} has an unreadable GGUF header: ${(err as Error).message}`, 'path');
  }
  const dataOffset = Number(parsed.tensorDataOffset);
  const tensors = sizeTensors(
    parsed.tensorInfos.map((t) => ({ name: t.name, shape: t.shape.map(Number), type: t.dtype as number, offset: Number(t.offset) })),
    size - dataOffset,
  );
  const need = dataOffset + tensors.reduce((m, t) => Math.max(m, t.offset + t.bytes), 0);
  if (dataOffset > size || need > size) {
    throw truncated(name, `its tensors need ${need} bytes but the file has ${size}`);
  }
  return { path, sizeBytes: size, version, metadata: parsed.metadata as unknown as Record<string, unknown>, tensors, dataOffset };
}

function truncated(name: string, detail: string): ModelError {
  return new ModelError('truncated_gguf', `${name} is truncated: ${detail} (an interrupted copy or download?)`, 'path');
}

/** Tensor byte sizes from the type table; an unknown type spans to the next tensor (or the data end). */
function sizeTensors(infos: Omit<GgufTensor, 'bytes'>[], dataBytes: number): GgufTensor[] {
  const byOffset = [...infos].sort((a, b) => a.offset - b.offset);
  return infos.map((t) => {
    const known = ggmlTensorBytes(t.type, t.shape);
    if (known !== null) return { ...t, bytes: known };
    const next = byOffset.find((o) => o.offset > t.offset);
    return { ...t, bytes: Math.max(0, (next ? next.offset : dataBytes) - t.offset) };
  });
}

/** ModelFacts of a model from its parsed files (shard 1 first; metadata comes from shard 1). */
export function factsFromGguf(parts: ParsedGguf[], fileName: string): ModelFacts {
  const first = parts[0];
  if (!first) throw new Error('factsFromGguf: no files');
  const md = first.metadata;
  const arch = typeof md['general.architecture'] === 'string' ? md['general.architecture'] : null;
  if (!arch) throw new ModelError('invalid_gguf', `${fileName} has no general.architecture in its metadata; it is not a model llama.cpp can load`, 'path');
  const num = (key: string) => toNumber(md[`${arch}.${key}`]);
  const fileType = toNumber(md['general.file_type']);
  const { layers, otherTensors, parameterCount, tensorBytes } = groupTensors(parts);
  return {
    architecture: arch,
    name: typeof md['general.name'] === 'string' ? md['general.name'] : null,
    parameterCount,
    fileType,
    quant: quantLabel(fileType, fileName, parts),
    contextLength: num('context_length'),
    blockCount: num('block_count'),
    embeddingLength: num('embedding_length'),
    feedForwardLength: num('feed_forward_length'),
    headCount: num('attention.head_count'),
    headCountKv: num('attention.head_count_kv'),
    keyLength: num('attention.key_length'),
    valueLength: num('attention.value_length'),
    slidingWindow: num('attention.sliding_window'),
    expertCount: num('expert_count'),
    expertUsedCount: num('expert_used_count'),
    hasChatTemplate: typeof md['tokenizer.chat_template'] === 'string' && md['tokenizer.chat_template'].length > 0,
    license: text(md['general.license']),
    licenseLink: text(md['general.license.link']),
    sizeBytes: parts.reduce((s, p) => s + p.sizeBytes, 0),
    tensorBytes,
    layers,
    otherTensors,
  };
}

/** A non-empty string metadata value, trimmed; anything else is unknown. */
function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

function groupTensors(parts: ParsedGguf[]): { layers: LayerBytes[]; otherTensors: TensorBytes[]; parameterCount: number; tensorBytes: number } {
  const layers = new Map<number, number>();
  const otherTensors: TensorBytes[] = [];
  let parameterCount = 0;
  let total = 0;
  for (const part of parts) {
    for (const t of part.tensors) {
      parameterCount += t.shape.reduce((a, d) => a * d, 1);
      total += t.bytes;
      const m = /^blk\.(\d+)\./.exec(t.name);
      if (m) layers.set(Number(m[1]), (layers.get(Number(m[1])) ?? 0) + t.bytes);
      else otherTensors.push({ name: t.name, bytes: t.bytes });
    }
  }
  return {
    layers: [...layers.entries()].sort((a, b) => a[0] - b[0]).map(([index, bytes]) => ({ index, bytes })),
    otherTensors,
    parameterCount,
    tensorBytes: total,
  };
}

/** The file type's name (`Q4_K_M`); else the quant tag in the file name; else the dominant tensor type. */
function quantLabel(fileType: number | null, fileName: string, parts: ParsedGguf[]): string | null {
  if (fileType !== null) {
    const name = (GGMLFileQuantizationType as unknown as Record<number, string | undefined>)[fileType];
    if (name) return name;
  }
  const fromName = parseGGUFQuantLabel(fileName);
  if (fromName) return fromName.toUpperCase();
  const bytesByType = new Map<number, number>();
  for (const p of parts) for (const t of p.tensors) bytesByType.set(t.type, (bytesByType.get(t.type) ?? 0) + t.bytes);
  const top = [...bytesByType.entries()].sort((a, b) => b[1] - a[1])[0];
  return top ? ggmlTypeName(top[0]) : null;
}

/** A metadata number; per-layer arrays (varying head counts) reduce to their maximum. */
function toNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) {
    const nums = v.map(toNumber).filter((n): n is number => n !== null);
    return nums.length ? Math.max(...nums) : null;
  }
  return null;
}
