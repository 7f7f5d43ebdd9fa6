// Memory estimate of one llama-server instance, per device and component, from the model's tensor
// table and hyperparameters. Mirrors what llama.cpp allocates:
// - weights: `blk.N.*` on the layer's device, input tensors on the CPU, the output head on the
//   output device (a copy of the token embeddings when the head is tied and lives on a GPU);
// - KV cache: per layer, `pad256(context per slot) × slots` cells of `row(K) + row(V)` on the layer's
//   device (sliding-window layers keep `pad256(window + ubatch)` cells per slot);
// - compute buffer: the graph allocator's peak for one ubatch (min(n_ctx, 512) tokens), fitted against
//   the engine's own logs (bench/estimator.ts): the FFN phase `(3·embd + attn + 3·ff) · tokens · 4`,
//   or without flash attention the attention phase with its `n_kv · tokens · heads · 4` score matrix,
//   plus the mask `n_kv · tokens · (2|4)`;
// - output buffer: `vocab · slots · 4` on the host.
import type { EstimatorInput, FlashAttention, KvCacheType, MemoryBreakdown } from '../../contract/placement.js';
import { kvRowBytes } from './ggml-types.js';

export const CPU = 'CPU';
export const UBATCH = 512;

export interface EstimateOptions {
  /** Tokens of context per slot (rounded up to 256, as the engine does). */
  contextSize: number;
  parallel: number;
  cacheTypeK: KvCacheType;
  cacheTypeV: KvCacheType;
  flashAttention: Exclude<FlashAttention, 'auto'>;
  /** Device holding repeating layer `il` (default: the CPU). */
  layerDevice?: (il: number) => string;
  /** Device holding the output layer (default: the CPU). */
  outputDevice?: string;
}

export interface Estimate {
  /** Per device id (`CPU`, `CUDA0`, …); overhead is 0 here, the planner adds runtime overheads. */
  devices: Record<string, MemoryBreakdown>;
  total: MemoryBreakdown;
  /** Context per slot after the engine's rounding, and the engine's total `-c`. */
  contextPerSlot: number;
  totalContext: number;
}

const pad256 = (n: number) => Math.ceil(n / 256) * 256;

export function emptyBreakdown(): MemoryBreakdown {
  return { weightsBytes: 0, kvBytes: 0, computeBytes: 0, outputBytes: 0, overheadBytes: 0, totalBytes: 0 };
}

export function withTotal(b: MemoryBreakdown): MemoryBreakdown {
  return { ...b, totalBytes: b.weightsBytes + b.kvBytes + b.computeBytes + b.outputBytes + b.overheadBytes };
}

/** Peak compute buffer of one device running the given layers for one ubatch. */
function computeBytes(m: EstimatorInput, layers: number[], nKv: number, tokens: number, fa: boolean): number {
  const kvWidth = Math.max(0, ...layers.map((il) => m.layers[il]!.nEmbdKGqa));
  const e = m.embeddingLength;
  const ffn = (3 * e + m.attentionWidth + 3 * m.feedForwardLength) * tokens * 4;
  const attention = fa ? 0 : (3 * e + 2 * m.attentionWidth + 2 * kvWidth) * tokens * 4 + nKv * tokens * m.headCount * 4;
  const mask = nKv * tokens * (fa ? 2 : 4);
  return Math.max(ffn, attention) + mask;
}

export function estimate(m: EstimatorInput, o: EstimateOptions): Estimate {
  const layerDevice = o.layerDevice ?? (() => CPU);
  const outputDevice = o.outputDevice ?? CPU;
  const parallel = Math.max(1, Math.floor(o.parallel));
  const ctxSeq = pad256(Math.max(1, o.contextSize));
  const nCtx = ctxSeq * parallel;
  const tokens = Math.min(nCtx, UBATCH);
  const fa = o.flashAttention === 'on';
  const vMax = Math.max(0, ...m.layers.map((l) => l.nEmbdVGqa));
  const devices: Record<string, MemoryBreakdown> = {};
  const dev = (id: string) => (devices[id] ??= emptyBreakdown());
  const layersOn = new Map<string, number[]>();

  dev(CPU).weightsBytes += m.inputBytes;
  m.layers.forEach((layer, il) => {
    const id = layerDevice(il);
    const d = dev(id);
    d.weightsBytes += layer.weightBytes;
    if (!layersOn.has(id)) layersOn.set(id, []);
    layersOn.get(id)!.push(il);
    if (layer.nEmbdKGqa === 0) return;
    const cells = layer.slidingWindow && m.slidingWindow ? Math.min(ctxSeq, pad256(m.slidingWindow + UBATCH)) : ctxSeq;
    // Without flash attention the V cache is stored transposed and padded to the widest layer.
    const vWidth = fa ? layer.nEmbdVGqa : vMax;
    d.kvBytes += (kvRowBytes(o.cacheTypeK, layer.nEmbdKGqa) + (layer.nEmbdVGqa > 0 ? kvRowBytes(o.cacheTypeV, vWidth) : 0)) * cells * parallel;
  });
  const out = dev(outputDevice);
  out.weightsBytes += m.outputBytes + (m.outputTied && outputDevice !== CPU ? m.tokenEmbeddingBytes : 0);
  dev(CPU).outputBytes += m.vocabSize * parallel * 4;

  for (const [id, layers] of layersOn) dev(id).computeBytes += computeBytes(m, layers, ctxSeq, tokens, fa);
  // The host always embeds the input tokens; with every layer on GPUs that is its whole graph.
  if (!layersOn.has(CPU)) dev(CPU).computeBytes += m.embeddingLength * tokens * 4 + ctxSeq * tokens * 4;

  const total = emptyBreakdown();
  for (const [id, d] of Object.entries(devices)) {
    devices[id] = withTotal(d);
    total.weightsBytes += d.weightsBytes;
    total.kvBytes += d.kvBytes;
    total.computeBytes += d.computeBytes;
    total.outputBytes += d.outputBytes;
  }
  return { devices, total: withTotal(total), contextPerSlot: ctxSeq, totalContext: nCtx };
}

/**
 * llama.cpp's layer assignment (llama_model::load_tensors): with `nGpuLayers` the last layers (the
 * output layer counting as one more) go to the GPUs, split at the cumulative shares of `split`.
 * Returns the GPU index (position in `split`) per repeating layer, -1 for the CPU, and the output's.
 */
export function assignLayers(nLayer: number, nGpuLayers: number, split: readonly number[]): { layers: number[]; output: number } {
  const nDev = split.length;
  const sum = split.reduce((a, b) => Math.fround(a + b), 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const s of split) {
    acc = Math.fround(acc + s);
    cumulative.push(Math.fround(acc / sum));
  }
  const start = Math.max(nLayer + 1 - nGpuLayers, 0);
  const active = nDev === 0 ? 0 : Math.min(nGpuLayers, nLayer + 1);
  const place = (il: number): number => {
    if (il < start || il - start >= active) return -1;
    const x = Math.fround(Math.fround(il - start) / active);
    const i = cumulative.findIndex((c) => c > x);
    return i === -1 ? nDev : i;
  };
  return { layers: Array.from({ length: nLayer }, (_, il) => place(il)), output: place(nLayer) };
}
