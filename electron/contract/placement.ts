// Placement: what the estimator needs to know about a model, the choices a user can override, and the
// plan (where each layer goes, how much memory each device gives it, why other devices were not used).
// Produced by core/placement (pure), shown by the UI, the CLI (`llama-orch plan`) and POST /api/v1/plans.
import type { HardwareSnapshot } from './hardware.js';

/** KV cache element types llama-server accepts for `-ctk` / `-ctv`. */
export type KvCacheType = 'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0' | 'q4_1' | 'iq4_nl' | 'q5_0' | 'q5_1';
export const KV_CACHE_TYPES: readonly KvCacheType[] = ['f32', 'f16', 'bf16', 'q8_0', 'q4_0', 'q4_1', 'iq4_nl', 'q5_0', 'q5_1'];

export type SplitMode = 'none' | 'layer' | 'row';
export type FlashAttention = 'on' | 'off' | 'auto';

/** One repeating block of the model, as the estimator sees it. */
export interface EstimatorLayer {
  /** Bytes of every `blk.N.*` tensor (experts included). */
  weightBytes: number;
  /** K / V row width of the KV cache for this layer (n_head_kv × head dim); 0 = no KV cache (recurrent). */
  nEmbdKGqa: number;
  nEmbdVGqa: number;
  /** Sliding-window attention layer: its KV cache holds at most the window (plus one batch). */
  slidingWindow: boolean;
}

/** The narrow view of GGUF facts the estimator needs (see core/placement/gguf-facts.ts). */
export interface EstimatorInput {
  architecture: string;
  name: string | null;
  fileBytes: number;
  contextLength: number;
  embeddingLength: number;
  /** Width of the attention output (n_head × value head dim). */
  attentionWidth: number;
  feedForwardLength: number;
  headCount: number;
  /** Smallest K and V head dims: quantized KV types need them to be multiples of 32. */
  headDimK: number;
  headDimV: number;
  vocabSize: number;
  expertCount: number;
  expertUsedCount: number;
  /** Tokens in the sliding window; null when the model has none. */
  slidingWindow: number | null;
  layers: EstimatorLayer[];
  /** Input tensors (token embeddings and the like): always on the CPU in llama.cpp. */
  inputBytes: number;
  tokenEmbeddingBytes: number;
  /** `output*` tensors (head and final norm). */
  outputBytes: number;
  /** No `output.weight`: the head reuses the token embeddings, copied to the output device when it is a GPU. */
  outputTied: boolean;
  /** Things the estimate handles only approximately (MoE, MLA, recurrent layers, …), in words. */
  caveats: string[];
}

/** What a user can force. Every field optional; the planner decides the rest. */
export interface PlacementOverrides {
  /** Engine device names (`CUDA0`, `Vulkan1`, `MTL0`) or `['cpu']` for CPU only. */
  devices?: string[];
  /** Layers offloaded to GPUs; `nLayers + 1` also puts the output layer there (llama.cpp's -ngl). */
  nGpuLayers?: number;
  /** Share of the layers per selected device, in device order (llama.cpp's -ts). */
  tensorSplit?: number[];
  /** Position in `devices` of the GPU that holds the whole model (split mode none) or small tensors. */
  mainGpu?: number;
  splitMode?: SplitMode;
  /** Tokens of context per slot. */
  contextSize?: number;
  /** Parallel slots (concurrent requests). */
  parallel?: number;
  cacheTypeK?: KvCacheType;
  cacheTypeV?: KvCacheType;
  flashAttention?: FlashAttention;
  /** Accept a plan that does not fit the estimate (the user takes the risk). */
  force?: boolean;
  /**
   * RPC workers (other machines): `auto` (default) uses them only when the model does not fit here,
   * `never` forbids them, `always` puts part of the model on them even when it would fit here.
   */
  workers?: WorkersPolicy;
  /** Use at most this much of this machine's system RAM (MiB), e.g. to leave room for other programs. */
  localRamLimitMiB?: number;
}

export type WorkersPolicy = 'auto' | 'never' | 'always';

/** What a split over machines costs per generated token (see placement/remote.ts for the formula). */
export interface NetworkCost {
  /** Places where the layer sequence moves from one machine to another (each way counts). */
  crossings: number;
  /** Activation bytes sent per generated token: crossings × embedding length × 4 (f32). */
  bytesPerToken: number;
  /** Network round trips per generated token (one per crossing). */
  roundTripsPerToken: number;
  /** In words, with the time at 1 Gbit/s and 0.2 ms round trips. */
  text: string;
}

/** Planner settings (from the app settings). */
export interface PlacementSettings {
  /** Kept free on every GPU. */
  gpuMarginBytes: number;
  /** Kept free in system RAM. */
  ramMarginBytes: number;
  /** System RAM each engine may use for its prompt cache (`--cache-ram`); reserved per engine. */
  promptCacheBytes?: number;
  /** Runtime overhead per GPU the engine does not report (CUDA context, cuBLAS workspace). */
  gpuOverheadBytes: number;
  defaultContextSize: number;
  /** The planner may lower the default context down to this to keep every layer on GPUs. */
  minContextSize: number;
  defaultParallel: number;
}

export interface MemoryBreakdown {
  weightsBytes: number;
  kvBytes: number;
  computeBytes: number;
  /** Logits/embeddings output buffer (host only). */
  outputBytes: number;
  overheadBytes: number;
  totalBytes: number;
}

/** One device a plan uses: the CPU (system RAM) or a GPU. */
export interface PlanDevice extends MemoryBreakdown {
  /** Engine device name (`CUDA0`) or `CPU`. */
  id: string;
  kind: 'gpu' | 'cpu';
  /** `GpuInfo.index` for GPUs. */
  gpuIndex: number | null;
  name: string;
  /** Repeating layers on this device (plus 1 on the device holding the output layer: see `hasOutput`). */
  layers: number;
  hasOutput: boolean;
  /** Memory this plan may use there: free memory minus other instances and the margin. */
  availableBytes: number;
  /** Set when the device is on an RPC worker (`host:port`); such devices have kind `gpu` (offload devices). */
  worker?: string;
}

export type PlanFit = 'gpu' | 'split' | 'partial' | 'cpu';

/** Everything the engine layer needs to start a model; engines/args.ts turns it into argv. */
export interface PlacementPlan {
  modelPath: string;
  fit: PlanFit;
  /** Engine devices used (`--device`); empty = CPU only (`--device none`). */
  engineDevices: string[];
  nGpuLayers: number;
  splitMode: SplitMode;
  /** Per engine device, in `engineDevices` order; null = a single device. */
  tensorSplit: number[] | null;
  mainGpu: number;
  /** Tokens per slot, and slots: the engine gets `-c contextSize × parallel -np parallel`. */
  contextSize: number;
  parallel: number;
  cacheTypeK: KvCacheType;
  cacheTypeV: KvCacheType;
  flashAttention: 'on' | 'off';
  threads: number;
  devices: PlanDevice[];
  /** One line for people: "GPU 0 (RTX 4090): 33/33 layers, 6.1 GiB of 22.4 GiB free, context 8192 × 2 slots". */
  summary: string;
  /** Accepted despite not fitting the estimate, because the user forced it. */
  forced: boolean;
  warnings: string[];
  /** RPC workers the engine connects to (`--rpc`), in order; absent or empty = this machine only. */
  rpcServers?: string[];
  /** The network cost of a split over machines; absent when the plan uses no worker. */
  network?: NetworkCost;
}

export interface Rejection {
  /** `GPU 1 (RTX 2070)`, `CPU`, or an override name like `nGpuLayers`. */
  device: string;
  reason: string;
}

/** Idle instances whose eviction would let the model load (fully on GPUs where possible). */
export interface EvictionProposal {
  instanceIds: string[];
  /** The plan once they are stopped. */
  plan: PlacementPlan;
  reason: string;
}

export interface PlacementResult {
  /** Null when the model cannot be placed without evicting (or at all); `error` says why. */
  plan: PlacementPlan | null;
  rejected: Rejection[];
  eviction: EvictionProposal | null;
  error: string | null;
}

/** An instance already placed, as the planner counts it. */
export interface RunningPlacement {
  instanceId: string;
  /** Bytes it holds per device id (`CUDA0`, `CPU`). */
  bytesByDevice: Record<string, number>;
  /** No request in flight. */
  idle: boolean;
  pinned: boolean;
  /** Milliseconds since epoch of the last request (caller's clock; the planner reads none). */
  lastUsedAt: number;
}

/** POST /api/v1/plans: preview where a model would go. */
export interface PlanRequest {
  /** Path to a GGUF file (model ids once the library exists). */
  model: string;
  overrides?: PlacementOverrides;
  /** Plan for another machine (a saved `llama-orch hardware --json`). */
  hardware?: HardwareSnapshot;
}

export interface PlanResponse extends PlacementResult {
  model: { path: string; architecture: string; name: string | null; fileBytes: number; layers: number; contextLength: number };
  /** The argv the engine would be started with (model path included). */
  argv: string[] | null;
}
