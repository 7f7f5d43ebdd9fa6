// Realistic model shapes as sparse GGUF fixtures: the real hyperparameters and tensor shapes/types of
// popular models (the quantization mix follows llama.cpp's Q4_K_M / Q8_0 rules) with zero-filled
// weights. Built on demand into a cache folder; they cost almost no disk. Erasable TS only.
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type GgufKv, type GgufTensorSpec, writeSparseGguf } from './gguf-writer.ts';

export interface ModelShape {
  /** File stem, e.g. `llama-3.1-8b-q4_k_m`. */
  id: string;
  arch: 'llama' | 'qwen2';
  name: string;
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  nFf: number;
  nVocab: number;
  ctxTrain: number;
  ropeBase: number;
  /** q/k/v projections carry a bias (Qwen2). */
  qkvBias: boolean;
  /** Llama 3.1 style rope scaling: a rope_freqs tensor. */
  ropeFreqs: boolean;
  quant: 'Q4_K_M' | 'Q8_0';
}

const F32 = 0;
const Q8_0 = 8;
const Q4_K = 12;
const Q6_K = 14;
const FILE_TYPE = { Q4_K_M: 15, Q8_0: 7 } as const;

export const SHAPES: ModelShape[] = [
  {
    id: 'llama-3.1-8b-q4_k_m',
    arch: 'llama',
    name: 'Llama 3.1 8B (shape only)',
    nLayer: 32,
    nEmbd: 4096,
    nHead: 32,
    nHeadKv: 8,
    headDim: 128,
    nFf: 14336,
    nVocab: 128256,
    ctxTrain: 131072,
    ropeBase: 500000,
    qkvBias: false,
    ropeFreqs: true,
    quant: 'Q4_K_M',
  },
  {
    id: 'qwen2.5-7b-q4_k_m',
    arch: 'qwen2',
    name: 'Qwen2.5 7B (shape only)',
    nLayer: 28,
    nEmbd: 3584,
    nHead: 28,
    nHeadKv: 4,
    headDim: 128,
    nFf: 18944,
    nVocab: 152064,
    ctxTrain: 32768,
    ropeBase: 1000000,
    qkvBias: true,
    ropeFreqs: false,
    quant: 'Q4_K_M',
  },
  {
    id: 'mistral-nemo-12b-q8_0',
    arch: 'llama',
    name: 'Mistral Nemo 12B (shape only)',
    nLayer: 40,
    nEmbd: 5120,
    nHead: 32,
    nHeadKv: 8,
    headDim: 128,
    nFf: 14336,
    nVocab: 131072,
    ctxTrain: 1024000,
    ropeBase: 1000000,
    qkvBias: false,
    ropeFreqs: false,
    quant: 'Q8_0',
  },
];

/** More shapes for planner scenarios (not loaded by the benchmark). */
export const LLAMA_8B_Q8_0: ModelShape = { ...SHAPES[0]!, id: 'llama-3.1-8b-q8_0', name: 'Llama 3.1 8B Q8_0 (shape only)', quant: 'Q8_0' };
export const LLAMA_70B_Q4_K_M: ModelShape = { ...SHAPES[0]!, id: 'llama-3.1-70b-q4_k_m', name: 'Llama 3.1 70B (shape only)', nLayer: 80, nEmbd: 8192, nHead: 64, nFf: 28672 };

/** llama.cpp's `use_more_bits`: the layers Q4_K_M gives Q6_K for attn_v and ffn_down. */
function useMoreBits(i: number, n: number): boolean {
  return i < n / 8 || i >= (7 * n) / 8 || (i - Math.floor(n / 8)) % 3 === 2;
}

export function shapeTensors(s: ModelShape): GgufTensorSpec[] {
  const q8 = s.quant === 'Q8_0';
  const base = q8 ? Q8_0 : Q4_K;
  const more = (i: number) => (q8 ? Q8_0 : useMoreBits(i, s.nLayer) ? Q6_K : Q4_K);
  const qDim = s.nHead * s.headDim;
  const kvDim = s.nHeadKv * s.headDim;
  const t: GgufTensorSpec[] = [
    { name: 'token_embd.weight', shape: [s.nEmbd, s.nVocab], type: base },
    { name: 'output_norm.weight', shape: [s.nEmbd], type: F32 },
    { name: 'output.weight', shape: [s.nEmbd, s.nVocab], type: q8 ? Q8_0 : Q6_K },
  ];
  if (s.ropeFreqs) t.push({ name: 'rope_freqs.weight', shape: [s.headDim / 2], type: F32 });
  for (let i = 0; i < s.nLayer; i++) {
    const p = `blk.${i}.`;
    t.push(
      { name: `${p}attn_norm.weight`, shape: [s.nEmbd], type: F32 },
      { name: `${p}attn_q.weight`, shape: [s.nEmbd, qDim], type: base },
      { name: `${p}attn_k.weight`, shape: [s.nEmbd, kvDim], type: base },
      { name: `${p}attn_v.weight`, shape: [s.nEmbd, kvDim], type: more(i) },
      { name: `${p}attn_output.weight`, shape: [qDim, s.nEmbd], type: base },
      { name: `${p}ffn_norm.weight`, shape: [s.nEmbd], type: F32 },
      { name: `${p}ffn_gate.weight`, shape: [s.nEmbd, s.nFf], type: base },
      { name: `${p}ffn_up.weight`, shape: [s.nEmbd, s.nFf], type: base },
      { name: `${p}ffn_down.weight`, shape: [s.nFf, s.nEmbd], type: more(i) },
    );
    if (s.qkvBias) {
      t.push({ name: `${p}attn_q.bias`, shape: [qDim], type: F32 }, { name: `${p}attn_k.bias`, shape: [kvDim], type: F32 }, { name: `${p}attn_v.bias`, shape: [kvDim], type: F32 });
    }
  }
  return t;
}

/** SPM-style vocabulary: 3 specials, 256 byte tokens, then filler pieces up to nVocab. */
function vocabulary(n: number): GgufKv {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
  }
  for (let i = tokens.length; i < n; i++) {
    tokens.push(`\u2581t${i}`);
    types.push(1);
  }
  return {
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'array', itemType: 'string', value: tokens },
    'tokenizer.ggml.scores': { type: 'array', itemType: 'float32', value: tokens.map(() => 0) },
    'tokenizer.ggml.token_type': { type: 'array', itemType: 'int32', value: types },
    'tokenizer.ggml.bos_token_id': { type: 'uint32', value: 1 },
    'tokenizer.ggml.eos_token_id': { type: 'uint32', value: 2 },
    'tokenizer.ggml.unknown_token_id': { type: 'uint32', value: 0 },
  };
}

export function shapeMetadata(s: ModelShape): GgufKv {
  const a = s.arch;
  return {
    'general.architecture': { type: 'string', value: a },
    'general.name': { type: 'string', value: s.name },
    'general.file_type': { type: 'uint32', value: FILE_TYPE[s.quant] },
    'general.quantization_version': { type: 'uint32', value: 2 },
    [`${a}.block_count`]: { type: 'uint32', value: s.nLayer },
    [`${a}.context_length`]: { type: 'uint32', value: s.ctxTrain },
    [`${a}.embedding_length`]: { type: 'uint32', value: s.nEmbd },
    [`${a}.feed_forward_length`]: { type: 'uint32', value: s.nFf },
    [`${a}.attention.head_count`]: { type: 'uint32', value: s.nHead },
    [`${a}.attention.head_count_kv`]: { type: 'uint32', value: s.nHeadKv },
    [`${a}.attention.key_length`]: { type: 'uint32', value: s.headDim },
    [`${a}.attention.value_length`]: { type: 'uint32', value: s.headDim },
    [`${a}.attention.layer_norm_rms_epsilon`]: { type: 'float32', value: 1e-5 },
    [`${a}.rope.freq_base`]: { type: 'float32', value: s.ropeBase },
    [`${a}.rope.dimension_count`]: { type: 'uint32', value: s.headDim },
    [`${a}.vocab_size`]: { type: 'uint32', value: s.nVocab },
    ...vocabulary(s.nVocab),
  };
}

/** Where generated fixtures are cached (`LLAMA_ORCH_CACHE_DIR` overrides the root). */
export function shapeCacheDir(): string {
  const root = process.env.LLAMA_ORCH_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'llama-orch');
  return join(root, 'gguf-shapes', 'v1');
}

/** Path of the sparse GGUF for a shape, written first when missing. */
export function ensureShapeFile(s: ModelShape, dir = shapeCacheDir()): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${s.id}.gguf`);
  if (existsSync(path) && statSync(path).size > 0) return path;
  const tmp = `${path}.tmp-${process.pid}`;
  writeSparseGguf(tmp, shapeMetadata(s), shapeTensors(s));
  renameSync(tmp, path);
  return path;
}
