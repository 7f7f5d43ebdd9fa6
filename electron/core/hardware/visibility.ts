// Which GPUs an engine can see when the administrator narrowed it with CUDA_VISIBLE_DEVICES (NVIDIA),
// ROCR_VISIBLE_DEVICES / HIP_VISIBLE_DEVICES (AMD) or GGML_VK_VISIBLE_DEVICES (Vulkan). Engines inherit
// the core's environment and run with CUDA_DEVICE_ORDER=PCI_BUS_ID, so CUDA0 is the first *visible* GPU
// in the order the variable lists them (PCI order when unset). Pure: the environment is passed in.
import type { GpuBackend, GpuInfo, GpuVisibilityVariable, HardwareWarning } from '../../contract/index.js';

export const VISIBILITY_VARIABLES: readonly GpuVisibilityVariable[] = ['CUDA_VISIBLE_DEVICES', 'ROCR_VISIBLE_DEVICES', 'HIP_VISIBLE_DEVICES', 'GGML_VK_VISIBLE_DEVICES'];

export type VisibilityEnv = Readonly<Record<string, string | undefined>>;

export interface HiddenGpu {
  gpu: GpuInfo;
  /** For a person: "hidden by CUDA_VISIBLE_DEVICES=0". */
  reason: string;
}

export interface VisibleGpus {
  /** GPUs the backend can see, in engine order (CUDA0, CUDA1, …). */
  visible: GpuInfo[];
  /** Engine order with the slots llama-orch cannot match (MIG instances) as null: CUDA<n> is engineOrder[n]. */
  engineOrder: (GpuInfo | null)[];
  /** GPUs of this backend that the variables hide. */
  hidden: HiddenGpu[];
  warnings: string[];
}

/** The visibility variables that are set (an empty string counts: it hides every GPU). */
export function visibilityFromEnv(env: VisibilityEnv): Partial<Record<GpuVisibilityVariable, string>> {
  const out: Partial<Record<GpuVisibilityVariable, string>> = {};
  for (const name of VISIBILITY_VARIABLES) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

export function pciOrder(a: GpuInfo, b: GpuInfo): number {
  if (a.pciBusId && b.pciBusId) return a.pciBusId < b.pciBusId ? -1 : a.pciBusId > b.pciBusId ? 1 : 0;
  return a.index - b.index;
}

/** GPUs a backend enumerates, in its default order (CUDA/ROCm with PCI_BUS_ID order; Vulkan: snapshot order, a best guess). */
function backendGpus(gpus: GpuInfo[], backend: GpuBackend): GpuInfo[] {
  if (backend === 'cuda') return gpus.filter((g) => g.vendor === 'nvidia').sort(pciOrder);
  if (backend === 'rocm') return gpus.filter((g) => g.vendor === 'amd' || g.backends.includes('rocm')).sort(pciOrder);
  return gpus.filter((g) => g.backends.includes(backend));
}

const show = (name: string, value: string) => (value.trim() === '' ? `${name}=""` : `${name}=${value}`);

type Entry = { gpu: GpuInfo } | { mig: string } | { invalid: string; why: string };

function resolveEntry(entry: string, pool: GpuInfo[], uuids: boolean): Entry {
  if (/^\d+$/.test(entry)) {
    const gpu = pool[Number(entry)];
    return gpu ? { gpu } : { invalid: entry, why: `there is no GPU ${entry} among ${pool.length}` };
  }
  if (uuids && /^MIG-/i.test(entry)) return { mig: entry };
  if (uuids && /^GPU-/i.test(entry)) {
    const hits = pool.filter((g) => g.uuid !== null && g.uuid.toLowerCase().startsWith(entry.toLowerCase()));
    if (hits.length === 1) return { gpu: hits[0]! };
    return { invalid: entry, why: hits.length === 0 ? 'no GPU has this UUID' : `the UUID prefix fits ${hits.length} GPUs` };
  }
  return { invalid: entry, why: 'it is neither an index nor a GPU UUID' };
}

/**
 * Apply one variable to the pool, like the runtime does: a comma-separated list of indices (into the
 * pool) or UUIDs (full or a unique prefix); an empty value hides everything; the list stops at the first
 * invalid entry (CUDA ignores it and everything after it). MIG instances keep a slot but match no GPU.
 */
function applyVariable(name: string, value: string, pool: (GpuInfo | null)[], uuids: boolean, warnings: string[]): (GpuInfo | null)[] {
  if (value.trim() === '') return [];
  const real = pool.filter((g): g is GpuInfo => g !== null);
  const out: (GpuInfo | null)[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    const r = resolveEntry(entry, real, uuids);
    if ('invalid' in r) {
      warnings.push(`${show(name, value)}: "${entry}" is not a visible GPU (${r.why}); the runtime ignores it and every entry after it`);
      break;
    }
    if ('mig' in r) {
      warnings.push(`${show(name, value)}: MIG instance ${entry} is not matched to a GPU (llama-orch does not know MIG slice sizes)`);
      out.push(null);
      continue;
    }
    if (out.includes(r.gpu)) {
      warnings.push(`${show(name, value)}: "${entry}" names a GPU twice; the runtime ignores it and every entry after it`);
      break;
    }
    out.push(r.gpu);
  }
  return out;
}

/** The variables that decide one backend's devices, outermost first (ROCR filters before HIP indexes). */
function variablesOf(backend: GpuBackend, env: VisibilityEnv): [GpuVisibilityVariable, string][] {
  const set = (n: GpuVisibilityVariable): [GpuVisibilityVariable, string][] => (env[n] !== undefined ? [[n, env[n]!]] : []);
  if (backend === 'cuda') return set('CUDA_VISIBLE_DEVICES');
  // HIP also honours CUDA_VISIBLE_DEVICES on AMD GPUs when HIP_VISIBLE_DEVICES is unset.
  if (backend === 'rocm') return [...set('ROCR_VISIBLE_DEVICES'), ...(env.HIP_VISIBLE_DEVICES !== undefined ? set('HIP_VISIBLE_DEVICES') : set('CUDA_VISIBLE_DEVICES'))];
  if (backend === 'vulkan') return set('GGML_VK_VISIBLE_DEVICES');
  return [];
}

/** Which of `gpus` the given backend (default CUDA) sees under `env`, in engine order, and why the others are hidden. */
export function visibleGpus(gpus: GpuInfo[], env: VisibilityEnv, backend: GpuBackend = 'cuda'): VisibleGpus {
  const warnings: string[] = [];
  const all = backendGpus(gpus, backend);
  let order: (GpuInfo | null)[] = all;
  const applied: string[] = [];
  for (const [name, value] of variablesOf(backend, env)) {
    order = applyVariable(name, value, order, backend !== 'vulkan', warnings);
    applied.push(show(name, value));
  }
  const visible = order.filter((g): g is GpuInfo => g !== null);
  const hidden = all.filter((g) => !visible.includes(g)).map((gpu) => ({ gpu, reason: `hidden by ${applied.join(' and ')}` }));
  return { visible, engineOrder: order, hidden, warnings };
}

const ENGINE_PREFIX: Partial<Record<GpuBackend, string>> = { cuda: 'CUDA', rocm: 'ROCm', vulkan: 'Vulkan' };

/** Snapshot warnings for the variables that are set: what each backend then sees, and entries the runtime would reject. */
export function visibilityWarnings(gpus: GpuInfo[], vars: VisibilityEnv): HardwareWarning[] {
  const out: HardwareWarning[] = [];
  for (const backend of ['cuda', 'rocm', 'vulkan'] as const) {
    const applied = variablesOf(backend, vars);
    const pool = backendGpus(gpus, backend);
    if (applied.length === 0 || (pool.length === 0 && backend !== 'cuda')) continue;
    const r = visibleGpus(gpus, vars, backend);
    const names = r.engineOrder.map((g, n) => `${g ? `GPU ${g.index}` : 'an unmatched device'} as ${ENGINE_PREFIX[backend]}${n}`);
    const sees = names.length > 0 ? `sees ${names.join(', ')}` : 'sees no GPU';
    out.push({ source: 'os', message: `${applied.map(([n, v]) => show(n, v)).join(' and ')} is set: ${ENGINE_PREFIX[backend]} ${sees}` });
    for (const w of r.warnings) out.push({ source: 'os', message: w });
  }
  return out;
}
