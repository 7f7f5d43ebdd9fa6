// Derived views of the models page: which instance serves a library model, fit hints.
import type { HardwareSnapshot, InstanceInfo, ModelSummary } from '../../../../electron/contract/index.js';
import { formatBytes } from '../../lib/format.js';

/** The instance serving a library model (matched by id or alias, case-insensitive). */
/** The engine serving a library model: under its id or alias, or under a deployment of it (`deployed`: deployment → model). */
export function instanceOfModel(m: ModelSummary, instances: Record<string, InstanceInfo>, deployed: { name: string; model: string }[] = []): InstanceInfo | null {
  const names = new Set([m.id, ...m.aliases, ...deployed.filter((d) => d.model === m.id).map((d) => d.name)].map((n) => n.toLowerCase()));
  return Object.values(instances).find((i) => names.has(i.modelId.toLowerCase()) && i.state !== 'stopped') ?? null;
}

export interface FitHint {
  tone: 'good' | 'ok' | 'bad' | 'unknown';
  text: string;
}

/** Whether a file of this size is likely to run well here (weights plus ~20 % for context). */
export function fitHint(sizeBytes: number | null, hw: HardwareSnapshot | null): FitHint {
  if (!sizeBytes || !hw) return { tone: 'unknown', text: 'size unknown' };
  const need = sizeBytes * 1.2;
  const bestGpu = Math.max(0, ...hw.gpus.map((g) => g.vramFreeBytes ?? g.vramTotalBytes ?? 0));
  const gpuTotal = hw.gpus.reduce((a, g) => a + (g.vramFreeBytes ?? g.vramTotalBytes ?? 0), 0);
  const ram = hw.memory.availableBytes ?? hw.memory.totalBytes;
  if (bestGpu >= need) return { tone: 'good', text: `fits on one GPU (${formatBytes(bestGpu)} free)` };
  if (hw.gpus.length > 1 && gpuTotal >= need) return { tone: 'good', text: `fits across ${hw.gpus.length} GPUs` };
  if (bestGpu > 0 && bestGpu + ram >= need) return { tone: 'ok', text: 'partly on GPU, slower' };
  if (ram >= need) return { tone: 'ok', text: hw.gpus.length ? 'CPU only, slow' : `runs on the CPU (${formatBytes(ram)} RAM free)` };
  return { tone: 'bad', text: `too large: needs about ${formatBytes(need)}` };
}

export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} K`;
  return String(n);
}
