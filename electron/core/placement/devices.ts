// Which devices a plan may use and how much memory each can give: free memory (live where known)
// minus what instances already placed hold, minus the safety margin. Devices that cannot be used are
// rejected here with a reason a person understands.
import type { EngineDevice, GpuBackend, GpuInfo, GpuLiveSample, HardwareSnapshot, RemoteDevice } from '../../contract/hardware.js';
import type { PlacementSettings, Rejection, RunningPlacement } from '../../contract/placement.js';
import { visibleGpus } from '../hardware/visibility.js';
import { CPU } from './estimator.js';
import { formatBytes, gpuLabel } from './format.js';

export interface Candidate {
  /** Engine device name (`CUDA0`). */
  id: string;
  gpuIndex: number;
  name: string;
  label: string;
  totalBytes: number;
  availableBytes: number;
  overheadBytes: number;
  unified: boolean;
  /** On an RPC worker (`host:port`): `id` is then `<worker>/<device>`, mapped to the engine's RPC<n> in the plan. */
  worker?: string;
  /** Position among the worker's devices, and how many it has (the engine numbers RPC devices by them). */
  position?: number;
  workerDevices?: number;
  /** A worker's CPU or GPU (local candidates are GPUs). */
  remoteKind?: 'cpu' | 'gpu';
}

export interface HostBudget {
  totalBytes: number;
  availableBytes: number;
}

export interface PlannerMachine {
  hardware: HardwareSnapshot;
  /** Live free/used memory per GPU, newer than the snapshot; optional. */
  live?: GpuLiveSample[] | null;
  /** Devices of the installed engine (`llama-server --list-devices`, matched to GPUs). When given, only
   * these can be used; when absent (planning for another machine) names are derived from the backends. */
  engineDevices?: EngineDevice[] | null;
  running?: RunningPlacement[];
  /** Devices of the registered RPC workers (other machines). */
  remote?: RemoteDevice[] | null;
}

const BACKEND_ORDER: GpuBackend[] = ['cuda', 'rocm', 'metal', 'vulkan', 'sycl'];
const VISIBLE_BACKENDS: GpuBackend[] = ['cuda', 'rocm', 'vulkan'];
const PREFIX: Record<string, string> = { cuda: 'CUDA', rocm: 'ROCm', metal: 'MTL', vulkan: 'Vulkan', sycl: 'SYCL' };

export function committed(running: RunningPlacement[] | undefined, id: string, exclude: ReadonlySet<string>): number {
  let sum = 0;
  for (const r of running ?? []) if (!exclude.has(r.instanceId)) sum += r.bytesByDevice[id] ?? 0;
  return sum;
}

function sumExcluded(running: RunningPlacement[] | undefined, id: string, exclude: ReadonlySet<string>): number {
  let sum = 0;
  for (const r of running ?? []) if (exclude.has(r.instanceId)) sum += r.bytesByDevice[id] ?? 0;
  return sum;
}

/** Engine device names per GPU index: from the engine when known, else derived from one backend and
 * the snapshot's visibility variables (a GPU they hide is never planned on). */
function engineNames(machine: PlannerMachine, rejected: Rejection[]): Map<number, string> {
  const names = new Map<number, string>();
  const gpus = machine.hardware.gpus;
  const env = machine.hardware.visibility ?? {};
  if (machine.engineDevices) {
    for (const d of machine.engineDevices) if (d.gpuIndex !== null && d.backend !== 'cpu' && !names.has(d.gpuIndex)) names.set(d.gpuIndex, d.id);
    const hidden = new Map(VISIBLE_BACKENDS.flatMap((b) => visibleGpus(gpus, env, b).hidden).map((h) => [h.gpu.index, h.reason]));
    for (const g of gpus)
      if (!names.has(g.index))
        rejected.push({ device: gpuLabel(g.index, g.name), reason: hidden.get(g.index) ?? 'the installed engine cannot use this GPU (it is not in `llama-server --list-devices`)' });
    return names;
  }
  const backend = BACKEND_ORDER.find((b) => gpus.some((g) => g.backends.includes(b)));
  const vis = backend && VISIBLE_BACKENDS.includes(backend) ? visibleGpus(gpus, env, backend) : null;
  let n = 0;
  const order = vis ? vis.engineOrder : gpus.filter((g) => backend && g.backends.includes(backend));
  order.forEach((g, slot) => {
    if (g && g.backends.includes(backend!)) names.set(g.index, `${PREFIX[backend!]}${vis ? slot : n++}`);
  });
  const hidden = new Map(vis?.hidden.map((h) => [h.gpu.index, h.reason]));
  for (const g of gpus) {
    if (names.has(g.index)) continue;
    const fallback = backend ? `the engine would use ${PREFIX[backend]}, which this GPU does not support` : 'no engine backend (CUDA, ROCm, Metal, Vulkan) supports this GPU';
    rejected.push({ device: gpuLabel(g.index, g.name), reason: hidden.get(g.index) ?? fallback });
  }
  return names;
}

function liveFor(machine: PlannerMachine, g: GpuInfo): { free: number | null; used: number | null } {
  const live = machine.live?.find((s) => (s.uuid !== null && s.uuid === g.uuid) || s.index === g.index);
  return { free: live?.vramFreeBytes ?? g.vramFreeBytes, used: live?.vramUsedBytes ?? g.vramUsedBytes };
}

/** Metal may wire about 2/3 of RAM on small Macs and 3/4 on large ones (recommendedMaxWorkingSetSize). */
function unifiedLimit(total: number): number {
  return Math.floor(total * (total > 36 * 1024 ** 3 ? 0.75 : 2 / 3));
}

export function gpuCandidates(machine: PlannerMachine, settings: PlacementSettings, evicted: ReadonlySet<string>, rejected: Rejection[]): Candidate[] {
  const names = engineNames(machine, rejected);
  const out: Candidate[] = [];
  for (const g of machine.hardware.gpus) {
    const id = names.get(g.index);
    if (!id) continue;
    const label = gpuLabel(g.index, g.name);
    if (g.migEnabled) {
      rejected.push({ device: label, reason: 'MIG mode is on: the engine sees only one MIG slice, whose size llama-orch does not know yet; turn MIG off or run on a MIG device explicitly' });
      continue;
    }
    const total = g.unifiedMemory ? unifiedLimit(machine.hardware.memory.totalBytes) : g.vramTotalBytes;
    if (!total) {
      rejected.push({ device: label, reason: 'its memory size is unknown (no tool reported it)' });
      continue;
    }
    let available: number;
    if (g.unifiedMemory) {
      available = Math.min(total, hostBudget(machine, settings, evicted).availableBytes);
    } else {
      const { free, used } = liveFor(machine, g);
      // total − free also counts memory the driver reserves, which `used` leaves out.
      const usedNow = free !== null ? total - free : (used ?? 0);
      // Instances still loading have not allocated yet; instances we stop give their memory back.
      const usedOthers = Math.max(usedNow - sumExcluded(machine.running, id, evicted), committed(machine.running, id, evicted));
      available = total - usedOthers - settings.gpuMarginBytes;
    }
    if (available <= 0) {
      rejected.push({
        device: label,
        reason: `no memory left: ${formatBytes(Math.max(0, available + settings.gpuMarginBytes))} free, ${formatBytes(settings.gpuMarginBytes)} kept as a safety margin`,
      });
      continue;
    }
    out.push({ id, gpuIndex: g.index, name: g.name, label, totalBytes: total, availableBytes: available, overheadBytes: g.unifiedMemory ? 0 : settings.gpuOverheadBytes, unified: g.unifiedMemory });
  }
  return out;
}

export function hostBudget(machine: PlannerMachine, settings: PlacementSettings, evicted: ReadonlySet<string>): HostBudget {
  const { totalBytes, availableBytes } = machine.hardware.memory;
  const used = totalBytes - (availableBytes ?? totalBytes);
  // On unified-memory machines (Apple silicon) what instances hold on the GPU is system RAM too.
  const ids = [CPU, ...machine.hardware.gpus.filter((g) => g.unifiedMemory).map(() => PREFIX.metal! + 0)];
  const sum = (f: typeof committed) => ids.reduce((a, id) => a + f(machine.running, id, evicted), 0);
  const usedOthers = Math.max(used - sum(sumExcluded), sum(committed));
  // Every engine's prompt cache may grow to its cap: the new one's and each running one's not yet used.
  const engines = 1 + (machine.running?.filter((r) => !evicted.has(r.instanceId)).length ?? 0);
  const promptCaches = (settings.promptCacheBytes ?? 0) * engines;
  return { totalBytes, availableBytes: totalBytes - usedOthers - settings.ramMarginBytes - promptCaches };
}
