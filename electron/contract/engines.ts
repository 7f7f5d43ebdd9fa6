import type { PlacementOverrides } from './placement.js';
// Engines: installed llama-server builds (provisioned from llama.cpp releases or imported offline),
// the admin API that lists, installs and removes them, and the facts the supervisor reads from an
// engine's own log lines.
import type { GpuBackend } from './hardware.js';
import { API, pathOf } from './routes.js';

export const ENGINE_MANIFEST_SCHEMA_VERSION = 1 as const;

/** Admin routes of the engines module (all behind admin auth). */
export const ENGINE_ROUTES = {
  engines: API.engines.path,
  install: API.installEngine.path,
  /** POST the archive itself as the body, `?name=<file name>[&sha256=<hex>]` → 201 EngineInfo. */
  import: API.importEngine.path,
  engine: (id: string) => pathOf('deleteEngine', { id }),
  instanceFacts: (id: string) => pathOf('instanceFacts', { id }),
} as const;

/** The ProgressEvent `kind` of an engine installation. */
export const ENGINE_INSTALL_PROGRESS_KIND = 'engine-install';

/**
 * A release build of llama-server, named after the part of its asset name between `-bin-` and the
 * extension: `ubuntu-x64`, `ubuntu-vulkan-x64`, `ubuntu-cuda-12.4-x64`, `win-cuda-12.4-x64`,
 * `win-vulkan-x64`, `win-cpu-x64`, `macos-arm64`, …
 */
export interface EngineVariantInfo {
  variant: string;
  /** `linux`, `win32`, `darwin` (process.platform style). */
  platform: string;
  /** `x64`, `arm64` (process.arch style). */
  arch: string;
  backend: GpuBackend | 'other';
  /** CUDA toolkit version of a CUDA build, e.g. `12.4`. */
  cudaVersion: string | null;
}

/** Why a variant was chosen for this machine: one sentence for a person, plus what gets downloaded. */
export interface VariantChoice extends EngineVariantInfo {
  reason: string;
  /** The archive, plus the CUDA runtime archive for CUDA builds on Windows where the release has one. */
  assets: string[];
  /** True when the user named the variant (or backend) instead of letting the machine decide. */
  overridden: boolean;
}

export interface SelfTestResult {
  ok: boolean;
  /** First line of `llama-server --version` that names the version, e.g. `version: 6550 (3d4e7a0)`. */
  version: string | null;
  /** Build number of release builds (`version: 6550 (…)`), when the engine states it. */
  build: number | null;
  commit: string | null;
  versionOutput: string;
  /** Device lines of `--list-devices`, e.g. `CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 23012 MiB free)`. */
  devices: EngineDeviceLine[];
  listDevicesOutput: string;
  /** Whether the engine's log verbosity scale has 4 = "trace" (safe: no prompts), used for load facts. */
  traceVerbosity: boolean;
  error: string | null;
}

export interface EngineDeviceLine {
  id: string;
  name: string;
  totalMiB: number | null;
  freeMiB: number | null;
}

/** One archive an engine was unpacked from: its name, verified sha256 digest, size and origin. */
export interface EngineArchive {
  name: string;
  sha256: string;
  bytes: number;
  /** Download URL (http(s) or file:) of a release asset, or the local path of an import; absent in manifests written before it was recorded. */
  url?: string;
}

/** Where an engine came from (release metadata URL or imported archive) and the archives it was unpacked from. */
export interface EngineSource {
  kind: 'release' | 'import';
  /** Release metadata URL, or the archive path of an import. */
  location: string;
  archives: EngineArchive[];
  /** The release's `published_at`, when the source states it. */
  publishedAt?: string | null;
  /** The commit the release metadata names (`target_commitish`, full sha), when it names one. */
  commit?: string | null;
}

/** The licence an engine build carries. */
export interface EngineLicense {
  /** SPDX id of the engine's own licence (`MIT` for llama.cpp), null when unrecognised. */
  spdx: string | null;
  /**
   * `file`: read from the LICENSE file in the archive; `upstream`: the archive has none, and the
   * build is a llama.cpp release (llama.cpp is MIT-licensed); `unknown`: neither.
   */
  basis: 'file' | 'upstream' | 'unknown';
  /** Licence files shipped in the archive, relative to the engine folder (third-party ones too, e.g. `LICENSE-httplib`). */
  files: string[];
}

/** `<data>/engines/<id>/engine.json`: how an engine got there and what it said about itself. */
export interface EngineManifest {
  schemaVersion: typeof ENGINE_MANIFEST_SCHEMA_VERSION;
  id: string;
  tag: string | null;
  variant: string | null;
  backend: GpuBackend | 'other' | null;
  source: EngineSource;
  /** Absent in manifests written before licences were recorded. */
  license?: EngineLicense;
  /** Path of the llama-server binary relative to the engine folder. */
  binary: string;
  installedAt: string;
  choiceReason: string | null;
  selfTest: SelfTestResult;
}

/** One entry of GET /api/v1/engines. Engines copied in by hand have no manifest: their fields are null. */
export interface EngineInfo {
  id: string;
  dir: string;
  binary: string;
  tag: string | null;
  variant: string | null;
  backend: GpuBackend | 'other' | null;
  installedAt: string | null;
  version: string | null;
  /** The llama.cpp commit the build states (`--version`), e.g. `3d4e7a0`. */
  commit: string | null;
  /** Provenance: release metadata URL or imported archive, each archive's URL and verified sha256. */
  source: EngineSource | null;
  /** sha256 of the main archive (the first of `source.archives`). */
  digest: string | null;
  license: EngineLicense | null;
  devices: EngineDeviceLine[];
  /** Instances currently using this engine (it cannot be removed while any runs). */
  inUseBy: string[];
  /** Set on the answer of an install or import: it was the first engine here and became the default. */
  becameDefault?: boolean;
}

export interface EngineListResponse {
  data: EngineInfo[];
  /** The tag installed when none is named. */
  defaultTag: string;
  releaseSource: string;
  /** The default engine's id (settings.engines.defaultEngine); null: `--engine` or the newest installed. */
  defaultEngine?: string | null;
  /** True when the core was started with `--engine <binary>`: models run without an installed engine. */
  commandLineEngine?: boolean;
}

/** POST /api/v1/engines/install */
export interface InstallEngineRequest {
  tag?: string;
  /** Exact variant (`ubuntu-vulkan-x64`) or a backend (`cpu`, `cuda`, `vulkan`, `rocm`, `metal`). */
  variant?: string;
  /** Wait for the installation to finish (201 with the engine) instead of answering 202 at once. */
  wait?: boolean;
}

export interface InstallEngineResponse {
  /** The ProgressEvent id of this job on GET /api/v1/events. */
  jobId: string;
  choice: VariantChoice;
  /** Present when the installation finished (wait: true, or it was already installed). */
  engine: EngineInfo | null;
  alreadyInstalled: boolean;
}

/** A memory buffer the engine reported while loading, e.g. `CUDA0 KV buffer size = 512.00 MiB`. */
export interface EngineBufferFact {
  /** The engine's device / buffer type name: `CPU`, `CPU_Mapped`, `CUDA0`, `Vulkan1`, `Metal`, … */
  device: string;
  kind: 'model' | 'kv' | 'compute' | 'output';
  bytes: number;
}

export interface TokenRateFact {
  tokens: number;
  ms: number;
  tokensPerSecond: number;
}

/** Facts parsed from an engine's log lines since its last (re)start. Unknown facts are null. */
export interface EngineFacts {
  modelLoaded: boolean;
  modelLoadedAt: string | null;
  buffers: EngineBufferFact[];
  /** Sums of `buffers` per kind. */
  totals: { modelBytes: number; kvBytes: number; computeBytes: number };
  /** `n_ctx_slot` and slot count from `load_model: initializing, n_slots = …, n_ctx_slot = …`. */
  slots: number | null;
  contextPerSlot: number | null;
  /** Last request's timings (`print_timing`). */
  lastPromptEval: TokenRateFact | null;
  lastEval: TokenRateFact | null;
  requestsTimed: number;
}

export interface InstanceFactsResponse {
  id: string;
  facts: EngineFacts;
}

/**
 * POST /api/v1/instances: `StartInstanceRequest` plus `wait` (answer 201 once ready, or 503 with the
 * reason) instead of 202 at once with the instance in `starting`. The response body is InstanceInfo.
 */
/** POST /api/v1/instances: a model id (or GGUF path) plus placement overrides, flat. */
export interface StartInstanceBody extends PlacementOverrides {
  model: string;
  engine?: string;
  wait?: boolean;
  /** Refuse-with-numbers is skipped: start even if the estimate says it will not fit. */
  force?: boolean;
}

/** Engine upgrades (#15): the default engine, staging checks of a candidate, promote and roll back. */
export const ENGINE_UPGRADE_ROUTES = {
  /** GET → EngineDefaultsResponse; PUT { engine } sets it (no restart of running engines). */
  defaultEngine: API.defaultEngine.path,
  /** GET → { data: EngineCheckReport[] } (newest first); POST EngineCheckRequest → EngineCheckReport. */
  checks: API.engineChecks.path,
  check: (id: string) => pathOf('engineCheck', { id }),
  /**
   * POST { engine, force?, deployments? } → PromoteResponse: default switched, running deployments that
   * follow it restarted one by one; with `deployments`, only those are pinned to the engine and moved.
   */
  promote: API.promoteEngine.path,
  /** POST {} → PromoteResponse: back to the previous default. */
  rollback: API.rollbackEngine.path,
} as const;

export interface EngineCheckRequest {
  candidate: string;
  /** Deployment names; absent or 'all': every saved deployment. */
  deployments?: string[] | 'all';
}

export type EngineCheckVerdict = 'pass' | 'differs' | 'slower' | 'fails_to_load';

/** What one engine did on a deployment's probes. */
export interface EngineProbeRun {
  engine: string;
  loaded: boolean;
  loadMs: number | null;
  /** The engine's own error line when it did not load (redacted). */
  error: string | null;
  /** Token ids of the first 64 generated tokens (chat role). */
  tokens: number[] | null;
  /** Tokens per second of the probe's prompt and generation, from the engine's own timings. */
  promptTps: number | null;
  genTps: number | null;
  /** Memory per device from the engine's log (only printed at trace verbosity: often empty). */
  memory: { device: string; bytes: number }[];
}

export interface DeploymentCheckResult {
  deployment: string;
  role: 'chat' | 'embeddings' | 'rerank';
  verdict: EngineCheckVerdict;
  /** One sentence for a person: "identical 64 tokens; generation 0.98×". */
  summary: string;
  /** Both engines ran at once (true), or one after the other. */
  sideBySide: boolean;
  current: EngineProbeRun;
  candidate: EngineProbeRun;
  tokensIdentical: boolean | null;
  /** Index of the first differing token, null when identical or not compared. */
  firstDifference: number | null;
  embeddingCosine: number | null;
  promptTpsRatio: number | null;
  genTpsRatio: number | null;
}

export interface EngineCheckReport {
  schemaVersion: 1;
  id: string;
  candidate: string;
  /** The engine the deployments ran on when checked (the default engine's id, or a binary path). */
  current: string;
  startedAt: string;
  finishedAt: string;
  /** The worst verdict over all deployments. */
  verdict: EngineCheckVerdict;
  results: DeploymentCheckResult[];
}

export interface EngineDefaultRecord {
  engine: string;
  previous: string | null;
  at: string;
  actor: string;
  /** The check report the switch relied on (null: set by hand, the first engine, or forced). */
  reportId: string | null;
  forced: boolean;
}

export interface EngineDefaultsResponse {
  defaultEngine: string | null;
  /** Newest first. */
  history: EngineDefaultRecord[];
}

export interface PromoteResponse {
  /** The default engine after the call (unchanged by a promote of chosen deployments). */
  defaultEngine: string | null;
  /** A promote of chosen deployments: those now pinned to the engine (the default is unchanged). */
  deployments?: string[];
  previous: string | null;
  reportId: string | null;
  /** Running deployments moved to the new engine, with how long each took to be ready on it. */
  restarted: { deployment: string; readyMs: number; error?: string }[];
  /** Deployments with `engineUpdates: after-check` and no passing check: pinned to the engine they had. */
  held?: { deployment: string; engine: string }[];
}

/**
 * Routes of llama-server itself (the engine behind the gateway, on loopback): not our API, named here
 * so that no route string is written outside the contract.
 */
export const ENGINE_PATHS = {
  embeddings: '/v1/embeddings',
  completion: '/completion',
  metrics: '/metrics',
} as const;
