// The hardware snapshot: what the machine can run. Produced by core/hardware, consumed by placement,
// the API (GET /api/v1/hardware), the CLI (`llama-orch hardware`) and the UI. Unknown facts are null,
// never guessed. Sizes are bytes (tools' MiB × 1,048,576).
import { API } from './routes.js';

export const HARDWARE_SCHEMA_VERSION = 1 as const;

export type GpuVendor = 'nvidia' | 'amd' | 'apple' | 'intel' | 'other';

/** llama.cpp backends a device can be used through. */
export type GpuBackend = 'cuda' | 'rocm' | 'vulkan' | 'metal' | 'sycl' | 'cpu';

/** The tools detection can read; also the tool names of support mode (`--from <tool>=<file>`). */
export type HardwareTool = 'nvidia-smi-xml' | 'nvidia-smi-csv' | 'rocm-smi-json' | 'rocminfo-text' | 'system-profiler-json' | 'vulkaninfo-summary';

/** Where a fact came from: a tool above, the OS / `systeminformation` library, or the engine. */
export type HardwareSource = HardwareTool | 'systeminformation' | 'os' | 'llama-server';

export interface CpuInfo {
  brand: string | null;
  /** `process.arch` style: x64, arm64, … */
  arch: string;
  /** Physical cores, when known. */
  cores: number | null;
  /** Logical CPUs (hardware threads). */
  threads: number;
  /** Instruction-set flags relevant to the CPU backend; null when the flags could not be read. */
  avx: boolean | null;
  avx2: boolean | null;
  avx512: boolean | null;
  neon: boolean | null;
}

export interface MemoryInfo {
  totalBytes: number;
  /** Memory the OS says is available for new allocations (not just "free"). */
  availableBytes: number | null;
}

export interface GpuInfo {
  /** Position in this snapshot's list (for NVIDIA: nvidia-smi's index, i.e. PCI bus order). */
  index: number;
  vendor: GpuVendor;
  name: string;
  uuid: string | null;
  /** Normalised `dddddddd:bb:dd.f` (lower case), when known. */
  pciBusId: string | null;
  /** Null when no tool reported a size (e.g. a device only seen by vulkaninfo). */
  vramTotalBytes: number | null;
  vramFreeBytes: number | null;
  vramUsedBytes: number | null;
  /** True when the GPU shares system RAM (Apple silicon): vramTotalBytes is then the system RAM. */
  unifiedMemory: boolean;
  driverVersion: string | null;
  /** NVIDIA: the CUDA version the driver supports (nvidia-smi's "CUDA Version"). */
  cudaVersion: string | null;
  /** NVIDIA compute capability like "8.6"; AMD: gfx target like "gfx90a" where known. */
  computeCapability: string | null;
  /** NVIDIA MIG mode: true enabled, false disabled, null unknown / not applicable. */
  migEnabled: boolean | null;
  backends: GpuBackend[];
  /** Tools that reported this GPU. */
  sources: HardwareSource[];
}

export interface HardwareWarning {
  source: HardwareSource;
  message: string;
}

/** Environment variables that narrow which GPUs an engine sees (engines inherit the core's environment). */
export type GpuVisibilityVariable = 'CUDA_VISIBLE_DEVICES' | 'ROCR_VISIBLE_DEVICES' | 'HIP_VISIBLE_DEVICES' | 'GGML_VK_VISIBLE_DEVICES';

export interface HardwareSnapshot {
  schemaVersion: typeof HARDWARE_SCHEMA_VERSION;
  /** ISO time the snapshot was taken. */
  detectedAt: string;
  /** `process.platform` style: linux, win32, darwin. */
  platform: string;
  cpu: CpuInfo;
  memory: MemoryInfo;
  gpus: GpuInfo[];
  /** Tools / sources that answered. */
  sources: HardwareSource[];
  /** Tools that failed (missing, timed out, garbage) and why; detection still returned the rest. */
  warnings: HardwareWarning[];
  /** The GPU visibility variables set in the core's environment (name → value; "" hides every GPU).
   * Placement honours them: a hidden GPU is never planned on. Absent when unknown (support mode). */
  visibility?: Partial<Record<GpuVisibilityVariable, string>>;
  /** Devices of the registered RPC workers (other machines); added by the API, absent when none. */
  remoteDevices?: RemoteDevice[];
}

/** A device of an RPC worker (`llama-orch worker` on another machine), as the main node sees it. */
export interface RemoteDevice {
  /** `host:port` of the worker's rpc-server. */
  worker: string;
  /** The device's name on the worker (`CPU`, `CUDA0`). */
  id: string;
  /** Position among the worker's devices (the engine numbers RPC devices in this order). */
  position: number;
  /** How many devices the worker has (engine device numbering). */
  workerDevices: number;
  name: string;
  kind: 'cpu' | 'gpu';
  totalBytes: number | null;
  freeBytes: number | null;
  /** Whether the planner may use it now; `reason` says why not. */
  usable: boolean;
  reason: string | null;
}

/** One device as `llama-server --list-devices` names it, matched to a detected GPU. */
export interface EngineDevice {
  /** The engine's device name, e.g. `CUDA0`, `Vulkan1`, `ROCm0`, `Metal`. */
  id: string;
  /** `other` for engine backends the app does not place on (RPC, BLAS, …). */
  backend: GpuBackend | 'other';
  name: string;
  totalBytes: number | null;
  freeBytes: number | null;
  /** `GpuInfo.index` of the matching detected GPU; null when none matched. */
  gpuIndex: number | null;
}

/** Live memory sample of one GPU (polled only while someone watches). */
export interface GpuLiveSample {
  index: number;
  uuid: string | null;
  vramTotalBytes: number | null;
  vramUsedBytes: number | null;
  vramFreeBytes: number | null;
  utilizationPercent: number | null;
  temperatureC: number | null;
  /** Board power draw in watts; null where the tool does not report it. */
  powerWatts: number | null;
}

export interface GpuLiveReport {
  /** ISO time of the sample. */
  sampledAt: string;
  gpus: GpuLiveSample[];
  warnings: HardwareWarning[];
}

/** GET /api/v1/hardware (`?refresh=1` re-detects instead of returning the cached snapshot). */
export type HardwareResponse = HardwareSnapshot;

/** Routes of this module beyond ROUTES.hardware. */
export const HARDWARE_ROUTES = {
  /** Server-sent events: one GpuLiveReport per poll while the stream is open (polling runs only then). */
  live: API.hardwareLive.path,
} as const;
