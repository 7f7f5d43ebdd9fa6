// Building the snapshot from what each source said (pure: no tools run here).
import type { CpuInfo, GpuInfo, HARDWARE_SCHEMA_VERSION, HardwareSnapshot, HardwareSource, HardwareWarning, MemoryInfo } from '../../contract/index.js';
import { namesContradict, namesMatch } from './match.js';
import { emptyGpu, type GpuFacts, type SourceOutcome } from './types.js';
import { uniq } from './units.js';
import { isVulkanGpu, type VulkanDevice } from './vulkan.js';

// A type-only import of the contract: its values come with zod and every route schema, most of the
// import time of a cold `llama-orch hardware`. The annotation fails to compile when the version moves.
const SCHEMA_VERSION: typeof HARDWARE_SCHEMA_VERSION = 1;

export interface SnapshotParts {
  platform: string;
  detectedAt: Date;
  cpu: CpuInfo;
  memory: MemoryInfo;
  /** Outcomes of the vendor tools (nvidia-smi, rocm-smi, system_profiler, …), in priority order. */
  outcomes: SourceOutcome[];
  /** Only consulted when the vendor tools found no GPU. */
  fallback?: SourceOutcome;
  vulkanDevices?: VulkanDevice[];
  /** Sources that answered for CPU / memory, and warnings about them. */
  extraSources?: HardwareSource[];
  extraWarnings?: HardwareWarning[];
}

export function buildSnapshot(parts: SnapshotParts): HardwareSnapshot {
  let gpus: GpuFacts[] = parts.outcomes.flatMap((o) => o.gpus);
  const outcomes = [...parts.outcomes];
  if (gpus.length === 0 && parts.fallback) {
    outcomes.push(parts.fallback);
    gpus = parts.fallback.gpus;
  }
  gpus = addVulkan(gpus, parts.vulkanDevices ?? []);
  const indexed: GpuInfo[] = gpus.map((g, index) => ({ index, ...g, backends: uniq(g.backends), sources: uniq(g.sources) }));
  return {
    schemaVersion: SCHEMA_VERSION,
    detectedAt: parts.detectedAt.toISOString(),
    platform: parts.platform,
    cpu: parts.cpu,
    memory: parts.memory,
    gpus: indexed,
    sources: uniq([...(parts.extraSources ?? []), ...outcomes.filter((o) => o.answered).map((o) => o.source)]),
    warnings: [...(parts.extraWarnings ?? []), ...outcomes.flatMap((o) => o.warnings)],
  };
}

/**
 * Mark GPUs the Vulkan loader sees as usable through Vulkan. A Vulkan device matches a GPU of the
 * same vendor by name, or, when exactly one of each is left for that vendor and their model numbers
 * do not contradict, by elimination. Vulkan
 * devices that match nothing are added (their memory is unknown: the summary does not print it).
 */
export function addVulkan(gpus: GpuFacts[], devices: VulkanDevice[]): GpuFacts[] {
  const out = gpus.map((g) => ({ ...g }));
  const taken = new Set<number>();
  const unmatched: VulkanDevice[] = [];
  const usable = devices.filter(isVulkanGpu);
  for (const d of usable) {
    const i = out.findIndex((g, j) => !taken.has(j) && g.vendor === d.vendor && namesMatch(g.name, d.name));
    if (i >= 0) mark(i);
    else unmatched.push(d);
  }
  for (const d of unmatched) {
    const sameVendor = out.map((_g, j) => j).filter((j) => !taken.has(j) && out[j]!.vendor === d.vendor);
    const devicesLeft = unmatched.filter((u) => u.vendor === d.vendor).length;
    if (sameVendor.length === 1 && devicesLeft === 1 && !namesContradict(out[sameVendor[0]!]!.name, d.name)) {
      mark(sameVendor[0]!);
      continue;
    }
    out.push(emptyGpu({ vendor: d.vendor, name: d.name, driverVersion: d.driverInfo, backends: ['vulkan'], sources: ['vulkaninfo-summary'] }));
    taken.add(out.length - 1);
  }
  return out;

  function mark(i: number): void {
    taken.add(i);
    const g = out[i]!;
    out[i] = { ...g, backends: [...g.backends, 'vulkan'], sources: [...g.sources, 'vulkaninfo-summary'] };
  }
}
