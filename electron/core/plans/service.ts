// Plan previews for the CLI and the API: reads the model's GGUF header, takes the hardware snapshot
// (this machine's, or one saved elsewhere), runs the pure planner and renders the engine argv.
import { cpus, totalmem, freemem, arch, platform } from 'node:os';
import { HARDWARE_SCHEMA_VERSION, type EngineDevice, type GpuLiveSample, type HardwareSnapshot, type RemoteDevice } from '../../contract/hardware.js';
import type { PlacementOverrides, PlacementResult, PlacementSettings, PlanResponse, RunningPlacement } from '../../contract/placement.js';
import { basename } from 'node:path';
import { planToArgs } from '../engines/args.js';
import { plan } from '../placement/planner.js';
import { readEstimatorInput } from './read-model.js';

export interface PlanSources {
  /** This machine's hardware (default: CPU and RAM from `os`, no GPUs). */
  hardware?: () => Promise<HardwareSnapshot>;
  /** Devices of the installed engine, when one is installed. */
  engineDevices?: () => Promise<EngineDevice[] | null>;
  running?: () => RunningPlacement[];
  settings?: () => Partial<PlacementSettings>;
  /** Memory right now (GPU samples and available RAM), fresher than the snapshot. */
  live?: () => Promise<{ gpus: GpuLiveSample[] | null; availableRamBytes: number | null }>;
  /** Library id → GGUF path (the first shard); undefined when unknown. */
  modelPath?: (idOrPath: string) => string | undefined;
  /** Devices of the registered RPC workers, health-checked now. */
  remote?: () => Promise<RemoteDevice[]>;
}

/** A CPU-only snapshot of this machine from `os`, for when no hardware detection is wired. */
export function osSnapshot(): HardwareSnapshot {
  const threads = cpus().length || 1;
  return {
    schemaVersion: HARDWARE_SCHEMA_VERSION,
    detectedAt: new Date().toISOString(),
    platform: platform(),
    cpu: { brand: cpus()[0]?.model ?? null, arch: arch(), cores: null, threads, avx: null, avx2: null, avx512: null, neon: null },
    memory: { totalBytes: totalmem(), availableBytes: freemem() },
    gpus: [],
    sources: ['os'],
    warnings: [],
  };
}

/**
 * Where a model goes on this machine now, counting the engines running (placement for a real load:
 * the planner is called directly, no preview). Throws when the model's header cannot be read.
 */
export async function planLoad(modelPath: string, overrides: PlacementOverrides, running: RunningPlacement[], sources: PlanSources): Promise<PlacementResult> {
  const model = await readEstimatorInput(modelPath);
  const snapshot = await (sources.hardware ?? (async () => osSnapshot()))();
  const live = await sources.live?.().catch(() => null);
  const hardware = live?.availableRamBytes != null ? { ...snapshot, memory: { ...snapshot.memory, availableBytes: live.availableRamBytes } } : snapshot;
  const remote = await sources.remote?.().catch(() => null);
  return plan({
    hardware,
    model,
    modelPath,
    engineDevices: (await sources.engineDevices?.()) ?? null,
    live: live?.gpus ?? null,
    running,
    overrides,
    settings: sources.settings?.() ?? {},
    remote: remote ?? null,
  });
}

export async function previewPlan(req: { model: string; overrides?: PlacementOverrides; hardware?: HardwareSnapshot }, sources: PlanSources = {}): Promise<PlanResponse> {
  const path = sources.modelPath?.(req.model) ?? req.model;
  const model = await readEstimatorInput(path);
  const snapshot = req.hardware ?? (await (sources.hardware ?? (async () => osSnapshot()))());
  // Another machine's snapshot: name devices from its backends, count nothing of ours as running.
  const local = req.hardware === undefined;
  // This machine: plan with memory as it is now, not as it was when the snapshot was taken.
  const live = local ? await sources.live?.().catch(() => null) : null;
  const hardware = live?.availableRamBytes != null ? { ...snapshot, memory: { ...snapshot.memory, availableBytes: live.availableRamBytes } } : snapshot;
  const result = plan({
    hardware,
    model,
    modelPath: path,
    engineDevices: local ? ((await sources.engineDevices?.()) ?? null) : null,
    live: live?.gpus ?? null,
    running: local ? (sources.running?.() ?? []) : [],
    remote: local ? ((await sources.remote?.().catch(() => null)) ?? null) : null,
    ...(req.overrides ? { overrides: req.overrides } : {}),
    settings: sources.settings?.() ?? {},
  });
  return {
    ...result,
    model: { path, architecture: model.architecture, name: model.name, fileBytes: model.fileBytes, layers: model.layers.length, contextLength: model.contextLength },
    argv: result.plan ? planToArgs({ modelPath: path, alias: basename(path).replace(/\.gguf$/i, ''), placement: result.plan }) : null,
  };
}

/** The core's sources: detected hardware, the installed engine's devices, the model library. */
export function corePlanSources(core: {
  hardware: { snapshot(): Promise<HardwareSnapshot> };
  /** Engine facts (engines/facts.ts): the devices a binary can use. */
  engineFacts: { devices(enginePath: string): Promise<{ devices: EngineDevice[] }> };
  library: { modelPath(idOrAlias: string): string | undefined };
  enginePath: () => string;
}): PlanSources {
  return {
    hardware: () => core.hardware.snapshot(),
    engineDevices: async () => {
      let bin: string;
      try {
        bin = core.enginePath();
      } catch {
        return null; // no engine installed yet: plan with device names derived from the backends
      }
      return (await core.engineFacts.devices(bin)).devices;
    },
    modelPath: (idOrPath) => {
      try {
        return core.library.modelPath(idOrPath);
      } catch {
        return undefined;
      }
    },
  };
}
