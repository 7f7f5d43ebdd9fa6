// The engine's own device names (`llama-server --list-devices`: CUDA0, Vulkan1, ROCm0, …) matched to
// the detected GPUs, so placement can say which engine device is which GPU. Engines run with
// CUDA_DEVICE_ORDER=PCI_BUS_ID, so CUDA numbers GPUs in PCI order, like nvidia-smi does, after
// CUDA_VISIBLE_DEVICES (and its ROCm cousins) picked and ordered the visible ones (see visibility.ts).
import { dirname } from 'node:path';
import type { EngineDevice, GpuBackend, GpuInfo, HardwareWarning } from '../../contract/index.js';
import { memoryClose, namesContradict, namesMatch } from './match.js';
import { runTool } from './run-tool.js';
import { MIB, ToolOutputError } from './units.js';
import { pciOrder, visibleGpus, type VisibilityEnv } from './visibility.js';

const LINE = /^\s+([A-Za-z][\w.:[\]-]*):\s+(.*?)\s+\((\d+) MiB, (\d+) MiB free\)\s*$/;

export function backendOf(id: string): EngineDevice['backend'] {
  const prefix = /^[A-Za-z]+/.exec(id)?.[0].toLowerCase() ?? '';
  const map: Record<string, GpuBackend> = { cuda: 'cuda', rocm: 'rocm', hip: 'rocm', vulkan: 'vulkan', metal: 'metal', mtl: 'metal', sycl: 'sycl', cpu: 'cpu' };
  return map[prefix] ?? 'other';
}

/** Parse `llama-server --list-devices` (stdout; log lines around it are ignored). */
export function parseListDevices(output: string): EngineDevice[] {
  const lines = output.replace(/\r\n?/g, '\n').split('\n');
  const start = lines.findIndex((l) => /^Available devices:\s*$/.test(l));
  if (start < 0) throw new ToolOutputError('no "Available devices:" list');
  const devices: EngineDevice[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s+\(none\)\s*$/.test(line)) break;
    const m = LINE.exec(line);
    if (!m) {
      if (/^\S/.test(line)) break; // the list ends at the first unindented line
      continue;
    }
    devices.push({ id: m[1]!, backend: backendOf(m[1]!), name: m[2]!, totalBytes: Number(m[3]) * MIB, freeBytes: Number(m[4]) * MIB, gpuIndex: null });
  }
  return devices;
}

function servesVendor(backend: EngineDevice['backend'], gpu: GpuInfo): boolean {
  if (backend === 'cuda') return gpu.vendor === 'nvidia';
  if (backend === 'rocm') return gpu.backends.includes('rocm') || gpu.vendor === 'amd';
  if (backend === 'metal') return gpu.backends.includes('metal') || gpu.vendor === 'apple';
  if (backend === 'vulkan' || backend === 'sycl') return true;
  return false;
}

/** The engine's number of a CUDA/ROCm device (`CUDA1` → 1), which indexes the visible GPUs. */
function ordinal(d: EngineDevice): number | null {
  if (d.backend !== 'cuda' && d.backend !== 'rocm') return null;
  const m = /^[A-Za-z]+(\d+)$/.exec(d.id);
  return m ? Number(m[1]) : null;
}

const fitsDevice = (d: EngineDevice, g: GpuInfo) => servesVendor(d.backend, g) && memoryClose(d.totalBytes, g.vramTotalBytes) && !namesContradict(g.name, d.name);

/**
 * Give each engine device the index of its GPU. CUDA<n> / ROCm<n> is the n-th GPU the visibility
 * variables in `env` leave visible (PCI order when unset), when its memory and name agree. Otherwise: the
 * first visible GPU (not yet taken by that backend) in engine order that the backend can drive, whose
 * memory size agrees and whose name matches. Vendor backends (CUDA, ROCm, Metal) also accept a name
 * mismatch (tools name the same card differently); Vulkan/SYCL only when one GPU is left.
 */
export function matchEngineDevices(devices: EngineDevice[], gpus: GpuInfo[], env: VisibilityEnv = {}): EngineDevice[] {
  // A GPU appears once per backend (CUDA0 and Vulkan1 can be the same card).
  const takenBy = new Map<string, Set<number>>();
  const orders = new Map<string, (GpuInfo | null)[]>();
  const orderOf = (b: EngineDevice['backend']) => {
    if (b !== 'cuda' && b !== 'rocm') return null;
    if (!orders.has(b)) orders.set(b, visibleGpus(gpus, env, b).engineOrder);
    return orders.get(b)!;
  };
  return devices.map((d) => {
    const taken = takenBy.get(d.backend) ?? new Set<number>();
    takenBy.set(d.backend, taken);
    const order = orderOf(d.backend);
    const n = ordinal(d);
    const slot = order && n !== null ? order[n] : undefined;
    let pick: GpuInfo | undefined;
    if (slot === null)
      pick = undefined; // a MIG instance: no GPU of the snapshot
    else if (slot && !taken.has(slot.index) && fitsDevice(d, slot)) pick = slot;
    else {
      const pool = order ? order.filter((g): g is GpuInfo => g !== null) : [...gpus].sort(pciOrder);
      const candidates = pool.filter((g) => !taken.has(g.index) && fitsDevice(d, g));
      const vendorBackend = d.backend === 'cuda' || d.backend === 'rocm' || d.backend === 'metal';
      pick = candidates.find((g) => namesMatch(g.name, d.name)) ?? (vendorBackend || candidates.length === 1 ? candidates[0] : undefined);
    }
    if (pick) taken.add(pick.index);
    return { ...d, gpuIndex: pick ? pick.index : null };
  });
}

export const ENGINE_DEVICE_ENV = { CUDA_DEVICE_ORDER: 'PCI_BUS_ID' } as const;

/** Run `llama-server --list-devices` (CUDA init can take seconds: generous timeout) and match the result. */
export async function listEngineDevices(enginePath: string, gpus: GpuInfo[], timeoutMs = 30_000): Promise<{ devices: EngineDevice[]; warnings: HardwareWarning[] }> {
  const dir = dirname(enginePath);
  const libEnv =
    process.platform === 'linux'
      ? { LD_LIBRARY_PATH: [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') }
      : process.platform === 'darwin'
        ? { DYLD_LIBRARY_PATH: [dir, process.env.DYLD_LIBRARY_PATH].filter(Boolean).join(':') }
        : {};
  const r = await runTool(enginePath, ['--list-devices'], { timeoutMs, env: { ...process.env, ...libEnv, ...ENGINE_DEVICE_ENV } });
  if (!r.ok) return { devices: [], warnings: [{ source: 'llama-server', message: r.reason }] };
  try {
    const devices = matchEngineDevices(parseListDevices(r.stdout), gpus, process.env);
    const unmatched = devices.filter((d) => d.gpuIndex === null && d.backend !== 'other' && d.backend !== 'cpu');
    return { devices, warnings: unmatched.map((d) => ({ source: 'llama-server' as const, message: `${d.id} (${d.name}) matches no detected GPU` })) };
  } catch (err) {
    return { devices: [], warnings: [{ source: 'llama-server', message: `unreadable --list-devices output: ${(err as Error).message}` }] };
  }
}
