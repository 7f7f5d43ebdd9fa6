// GGUF metadata + tensor table → EstimatorInput: the few facts the estimator needs, per layer.
// Pure: takes what `@huggingface/gguf` parsed (or any reader with the same shape).
import type { EstimatorInput, EstimatorLayer } from '../../contract/placement.js';
import { isKnownType, tensorBytes } from './ggml-types.js';

export interface GgufTensorLike {
  name: string;
  shape: readonly (number | bigint)[];
  dtype: number;
}

export interface GgufLike {
  metadata: Record<string, unknown>;
  tensorInfos: readonly GgufTensorLike[];
}

/** Architectures whose layers alternate sliding-window and full attention: llama.cpp's swa pattern. */
const SWA_PATTERN: Record<string, number> = { gemma2: 2, gemma3: 6, cohere2: 4, 'gpt-oss': 2, exaone4: 4, llama4: 4 };
const RECURRENT = /mamba|rwkv|jamba|falcon-h1|nemotron_h|granitehybrid|lfm2|qwen3next|plamo2/;

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

/** A per-layer value that GGUF stores either as one number or as an array. */
function perLayer(v: unknown, n: number): number[] | null {
  if (Array.isArray(v)) {
    const arr = v.map(num);
    if (arr.length !== n || arr.some((x) => x === null)) return null;
    return arr as number[];
  }
  const x = num(v);
  return x === null ? null : Array.from({ length: n }, () => x);
}

function required(meta: Record<string, unknown>, key: string): number {
  const v = num(meta[key]);
  if (v === null) throw new Error(`GGUF metadata lacks ${key}`);
  return v;
}

function swaLayers(meta: Record<string, unknown>, arch: string, n: number, caveats: string[]): boolean[] {
  const window = num(meta[`${arch}.attention.sliding_window`]);
  const none = Array.from({ length: n }, () => false);
  if (!window) return none;
  const explicit = meta[`${arch}.attention.sliding_window_pattern`];
  if (Array.isArray(explicit) && explicit.length === n) return explicit.map((x) => x === true);
  const pattern = SWA_PATTERN[arch];
  if (pattern === undefined) {
    caveats.push(`sliding-window attention (${window} tokens) is not modelled for ${arch}; the KV cache is sized as full attention (an over-estimate)`);
    return none;
  }
  return Array.from({ length: n }, (_, il) => il % pattern < pattern - 1);
}

export function estimatorInputFromGguf(gguf: GgufLike, fileBytes: number): EstimatorInput {
  const meta = gguf.metadata;
  const arch = typeof meta['general.architecture'] === 'string' ? meta['general.architecture'] : null;
  if (!arch) throw new Error('GGUF metadata lacks general.architecture');
  const caveats: string[] = [];
  const n = required(meta, `${arch}.block_count`);
  const nEmbd = required(meta, `${arch}.embedding_length`);
  const heads = perLayer(meta[`${arch}.attention.head_count`], n);
  if (!heads) throw new Error(`GGUF metadata lacks ${arch}.attention.head_count`);
  const nHead = Math.max(...heads, 1);
  const headsKv = perLayer(meta[`${arch}.attention.head_count_kv`], n) ?? heads;
  const keyLen = num(meta[`${arch}.attention.key_length`]) ?? Math.floor(nEmbd / nHead);
  const valueLen = num(meta[`${arch}.attention.value_length`]) ?? Math.floor(nEmbd / nHead);
  const ff = perLayer(meta[`${arch}.feed_forward_length`], n) ?? [];
  const kvLoraRank = num(meta[`${arch}.attention.kv_lora_rank`]);
  const ropeDim = num(meta[`${arch}.rope.dimension_count`]) ?? keyLen;
  const swa = swaLayers(meta, arch, n, caveats);

  const layerBytes = Array.from({ length: n }, () => 0);
  let inputBytes = 0;
  let outputBytes = 0;
  let tokenEmbeddingBytes = 0;
  let hasOutputHead = false;
  for (const t of gguf.tensorInfos) {
    if (!isKnownType(t.dtype)) throw new Error(`tensor ${t.name} has an unknown ggml type ${t.dtype}`);
    const bytes = tensorBytes(t.dtype, t.shape.map(Number));
    const blk = /^blk\.(\d+)\./.exec(t.name);
    if (blk) {
      const il = Number(blk[1]);
      if (il < n) layerBytes[il]! += bytes;
      continue;
    }
    if (t.name.startsWith('output')) {
      outputBytes += bytes;
      if (t.name === 'output.weight') hasOutputHead = true;
      continue;
    }
    if (t.name === 'token_embd.weight') tokenEmbeddingBytes = bytes;
    inputBytes += bytes;
  }

  let mla = false;
  const layers: EstimatorLayer[] = layerBytes.map((weightBytes, il) => {
    const kvHeads = headsKv[il] ?? 0;
    if (kvLoraRank) {
      mla = true;
      return { weightBytes, nEmbdKGqa: kvLoraRank + ropeDim, nEmbdVGqa: 0, slidingWindow: false };
    }
    return { weightBytes, nEmbdKGqa: kvHeads * keyLen, nEmbdVGqa: kvHeads * valueLen, slidingWindow: swa[il] ?? false };
  });
  if (mla) caveats.push('multi-head latent attention (MLA): the KV cache is estimated from kv_lora_rank and is approximate');
  if (RECURRENT.test(arch) || layers.some((l) => l.nEmbdKGqa === 0)) caveats.push(`${arch} has recurrent layers whose state memory is not estimated`);

  const expertCount = num(meta[`${arch}.expert_count`]) ?? 0;
  const expertUsedCount = num(meta[`${arch}.expert_used_count`]) ?? 0;
  const expertFf = num(meta[`${arch}.expert_feed_forward_length`]);
  if (expertCount > 0) caveats.push(`mixture of experts (${expertUsedCount} of ${expertCount} experts per token): the compute buffer is approximate`);
  const feedForwardLength = expertCount > 0 && expertFf ? Math.max(expertFf * Math.max(expertUsedCount, 1), ...ff, 0) : Math.max(...ff, 0);

  const tokens = meta['tokenizer.ggml.tokens'];
  const embdShape = gguf.tensorInfos.find((t) => t.name === 'token_embd.weight')?.shape;
  const vocabSize = num(meta[`${arch}.vocab_size`]) ?? (Array.isArray(tokens) ? tokens.length : null) ?? (embdShape?.[1] !== undefined ? Number(embdShape[1]) : 0);

  return {
    architecture: arch,
    name: typeof meta['general.name'] === 'string' ? meta['general.name'] : null,
    fileBytes,
    contextLength: num(meta[`${arch}.context_length`]) ?? 2048,
    embeddingLength: nEmbd,
    attentionWidth: nHead * valueLen,
    feedForwardLength,
    headCount: nHead,
    headDimK: kvLoraRank ? kvLoraRank + ropeDim : keyLen,
    headDimV: valueLen,
    vocabSize,
    expertCount,
    expertUsedCount,
    slidingWindow: swa.some(Boolean) ? num(meta[`${arch}.attention.sliding_window`]) : null,
    layers,
    inputBytes,
    tokenEmbeddingBytes,
    outputBytes,
    outputTied: !hasOutputHead,
    caveats,
  };
}
