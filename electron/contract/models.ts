// The model library: every model's manifest and its GGUF facts (read from the file, never guessed),
// and the admin API for listing, importing, pulling, verifying and removing models.
import { API, pathOf } from './routes.js';
import type { ProgressEvent } from './events.js';

/** Bytes of one transformer block's tensors (`blk.<index>.*`), summed over every file of the model. */
export interface LayerBytes {
  index: number;
  bytes: number;
}

/** A tensor outside the blocks (`token_embd.weight`, `output.weight`, `output_norm.weight`, …). */
export interface TensorBytes {
  name: string;
  bytes: number;
}

/**
 * What the GGUF header says about a model. A fact the file does not state is `null`; nothing is
 * invented. Per-layer arrays (some architectures vary head counts per layer) are reduced to their
 * maximum, which is what a memory estimate needs.
 */
export interface ModelFacts {
  /** `general.architecture`, e.g. `llama`, `qwen2`, `gemma3`. */
  architecture: string;
  /** `general.name`. */
  name: string | null;
  /** Sum of the elements of every tensor. */
  parameterCount: number;
  /** `general.file_type` as its ggml number (e.g. 15 = MOSTLY_Q4_K_M). */
  fileType: number | null;
  /** Human label of the file type, e.g. `Q4_K_M`, `F16`; from the file type, else from the file name. */
  quant: string | null;
  contextLength: number | null;
  blockCount: number | null;
  embeddingLength: number | null;
  feedForwardLength: number | null;
  headCount: number | null;
  headCountKv: number | null;
  /** `<arch>.attention.key_length` / `value_length` where present (else embedding / heads applies). */
  keyLength: number | null;
  valueLength: number | null;
  /** `<arch>.attention.sliding_window` where present. */
  slidingWindow: number | null;
  expertCount: number | null;
  expertUsedCount: number | null;
  hasChatTemplate: boolean;
  /** `general.license` (an SPDX id such as `apache-2.0`, or a name such as `llama3.1`); absent in manifests written before it was read. */
  license?: string | null;
  /** `general.license.link`, where the licence text is. */
  licenseLink?: string | null;
  /** Bytes of every file of the model (all shards). */
  sizeBytes: number;
  /** Bytes of tensor data (what is loaded to devices), = sum of layers + other tensors. */
  tensorBytes: number;
  /** Tensor bytes per block, index ascending. */
  layers: LayerBytes[];
  /** Tensors outside the blocks, in file order. */
  otherTensors: TensorBytes[];
}

export interface ModelFile {
  /** File name inside the model's folder (or the linked file's base name). */
  name: string;
  /** Absolute path of the file on disk (inside the library, or the original path for a linked import). */
  path: string;
  sizeBytes: number;
  sha256: string;
}

export type ModelSource =
  | { kind: 'import'; /** Where it was imported from. */ path: string; /** Referenced in place rather than copied. */ linked: boolean }
  | {
      kind: 'hub';
      /** `owner/name` */
      repo: string;
      revision: string;
      /** First file (shard 1 for split models). */
      file: string;
      /** Base URL of the hub or mirror. */
      endpoint: string;
      /** `license` of the repo's model card (README front matter), when it states one. */
      cardLicense?: string | null;
    };

/** A model's licence: what its GGUF metadata says, else its Hub model card. */
export interface ModelLicense {
  id: string;
  link: string | null;
  from: 'gguf' | 'hub-card';
}

/** `<data>/models/<id>/manifest.json`. */
export interface ModelManifest {
  schemaVersion: 1;
  /** Safe slug: `[a-z0-9][a-z0-9._-]*`, at most 96 characters. */
  id: string;
  displayName: string;
  /** Other names the model answers to (case-insensitive), e.g. the original file name without `.gguf`. */
  aliases: string[];
  /** Shards in order; one entry for a single-file model. */
  files: ModelFile[];
  source: ModelSource;
  /** ISO 8601. */
  addedAt: string;
  facts: ModelFacts;
  /**
   * The vision projector (llama.cpp `mmproj` GGUF) paired with the model: pulled with it when its
   * Hub folder has one, imported with it when it lies beside the file. Absent in older manifests.
   */
  mmproj?: ModelFile | null;
}

/** One row of GET /api/v1/models. */
export interface ModelSummary {
  id: string;
  displayName: string;
  aliases: string[];
  architecture: string;
  parameterCount: number;
  quant: string | null;
  contextLength: number | null;
  sizeBytes: number;
  /** Bytes this model occupies under the data dir (0 for a linked import). */
  diskBytes: number;
  source: ModelSource['kind'];
  linked: boolean;
  /** Null when neither the GGUF metadata nor the model card names one. */
  license: ModelLicense | null;
  addedAt: string;
  /** File name of the paired vision projector; null without one. */
  mmproj?: string | null;
}

export interface ModelListResponse {
  data: ModelSummary[];
  /** Disk bytes of every model under the data dir. */
  totalDiskBytes: number;
  /** Pulls of this run, and the paused ones (also those left unfinished by an earlier run). */
  pulls: PullInfo[];
}

export type ModelDetailResponse = ModelManifest & { diskBytes: number };

export interface ImportModelRequest {
  /** Path of a `.gguf` file on the core's machine (shard 1 of a split model imports every shard). */
  path: string;
  /** Reference the file in place instead of copying it (default false). */
  link?: boolean;
  /** Id to use instead of one derived from the file name (must be a safe slug). */
  id?: string;
}

export interface PullModelRequest {
  /** `owner/name`, optionally `owner/name:Q4_K_M` or `owner/name:file.gguf`. */
  repo: string;
  /** File name in the repo (takes precedence over `quant`). */
  file?: string;
  /** Quant tag, case-insensitive, e.g. `Q4_K_M`. */
  quant?: string;
  revision?: string;
  id?: string;
}

/**
 * `paused`: stopped with its bytes and its record kept under `<data>/downloads/` (paused by the user,
 * or unfinished when the core stopped or crashed: listed again after a restart). Resume continues it
 * with a Range request; cancel discards its bytes.
 */
export type PullState = 'queued' | 'running' | 'verifying' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface PullInfo {
  /** Job id; also the `id` of its `model-pull` progress events. */
  id: string;
  repo: string;
  files: string[];
  /** The id the model will have in the library. */
  modelId: string;
  state: PullState;
  bytes: number;
  totalBytes: number | null;
  error: string | null;
}

/** POST /api/v1/models/pull answers 202 with the job; progress follows on the event stream. */
export type PullModelResponse = PullInfo;

export interface VerifyModelResponse {
  id: string;
  ok: boolean;
  files: { name: string; expected: string; actual: string | null; ok: boolean; error: string | null }[];
}

/** One GGUF file of a search hit. */
export interface HubGgufFile {
  name: string;
  sizeBytes: number | null;
  quant: string | null;
}

export interface HubSearchHit {
  repo: string;
  downloads: number | null;
  likes: number | null;
  updatedAt: string | null;
  /** GGUF files of the repo (shards of one model listed once, by shard 1). */
  files: HubGgufFile[];
}

export interface ModelSearchResponse {
  data: HubSearchHit[];
}

/** Progress of a pull on GET /api/v1/events: a ProgressEvent with kind `model-pull`. */
export type ModelPullProgressEvent = ProgressEvent & { kind: 'model-pull' };
export const MODEL_PULL_EVENT_KIND = 'model-pull';

export const MODEL_ROUTES = {
  list: API.models.path,
  model: (id: string) => pathOf('model', { id }),
  verify: (id: string) => pathOf('verifyModel', { id }),
  import: API.importModel.path,
  pull: API.pullModel.path,
  pulls: API.modelPulls.path,
  /** Running or queued: stop it (bytes kept); paused or failed: discard its bytes. */
  cancelPull: (id: string) => pathOf('cancelPull', { id }),
  pausePull: (id: string) => pathOf('pausePull', { id }),
  resumePull: (id: string) => pathOf('resumePull', { id }),
  search: API.modelSearch.path,
} as const;

/** Codes of model-library errors (the `code` of the error envelope). */
export type ModelErrorCode =
  | 'model_not_found'
  | 'invalid_model_id'
  | 'model_exists'
  | 'model_loaded'
  | 'not_gguf'
  | 'unsupported_gguf_version'
  | 'truncated_gguf'
  | 'invalid_gguf'
  | 'missing_shard'
  | 'file_not_found'
  | 'hub_error'
  | 'hub_file_not_found'
  | 'ambiguous_file'
  | 'pull_not_found'
  | 'checksum_mismatch'
  | 'insufficient_space'
  | 'offline_mode';
