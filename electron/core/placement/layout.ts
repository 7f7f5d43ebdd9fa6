// One candidate layout (which GPUs, how many layers, which shares) evaluated against the memory each
// device can give: the per-device estimate plus runtime overhead, and what does not fit, in numbers.
import type { EstimatorInput, FlashAttention, KvCacheType, PlanDevice, SplitMode } from '../../contract/placement.js';
import type { Candidate, HostBudget } from './devices.js';
import { assignLayers, CPU, estimate, withTotal } from './estimator.js';
import { formatBytes } from './format.js';

export interface Knobs {
  contextSize: number;
  parallel: number;
  cacheTypeK: KvCacheType;
  cacheTypeV: KvCacheType;
  flashAttention: Exclude<FlashAttention, 'auto'>;
}

export interface Layout {
  /** GPUs given to the engine, in engine order. Empty = CPU only. */
  gpus: Candidate[];
  nGpuLayers: number;
  /** Share per GPU (layer split); null = proportional to available memory. */
  shares: number[] | null;
  splitMode: SplitMode;
  /** Position in `gpus` of the GPU holding everything with split mode `none`. */
  mainGpu: number;
}

export interface Overflow {
  label: string;
  needBytes: number;
  availableBytes: number;
  device: PlanDevice;
}

export interface Evaluation {
  devices: PlanDevice[];
  overflows: Overflow[];
  contextPerSlot: number;
  shares: number[] | null;
}

function effectiveShares(layout: Layout): number[] {
  if (layout.splitMode === 'none') return layout.gpus.map((_, i) => (i === layout.mainGpu ? 1 : 0));
  return layout.shares ?? layout.gpus.map((g) => g.availableBytes);
}

export function evaluate(m: EstimatorInput, knobs: Knobs, layout: Layout, host: HostBudget): Evaluation {
  const n = m.layers.length;
  const gpus = layout.gpus;
  const ngl = gpus.length === 0 ? 0 : Math.min(layout.nGpuLayers, n + 1);
  const shares = effectiveShares(layout);
  const a = gpus.length === 0 ? { layers: m.layers.map(() => -1), output: -1 } : assignLayers(n, ngl, shares);
  const idOf = (i: number) => (i < 0 ? CPU : gpus[i]!.id);
  const est = estimate(m, { ...knobs, layerDevice: (il) => idOf(a.layers[il]!), outputDevice: idOf(a.output) });
  const count = (i: number) => a.layers.filter((d) => d === i).length;
  const devices: PlanDevice[] = [];
  const overflows: Overflow[] = [];
  gpus.forEach((g, i) => {
    const b = est.devices[g.id];
    if (!b) return;
    const d: PlanDevice = {
      ...withTotal({ ...b, overheadBytes: g.overheadBytes }),
      id: g.id,
      kind: 'gpu',
      gpuIndex: g.worker ? null : g.gpuIndex,
      name: g.name,
      layers: count(i),
      hasOutput: a.output === i,
      availableBytes: g.availableBytes,
      ...(g.worker ? { worker: g.worker } : {}),
    };
    devices.push(d);
    if (d.totalBytes > g.availableBytes) overflows.push({ label: g.label, needBytes: d.totalBytes, availableBytes: g.availableBytes, device: d });
  });
  const cpu = est.devices[CPU]!;
  const cpuDevice: PlanDevice = { ...cpu, id: CPU, kind: 'cpu', gpuIndex: null, name: 'CPU (system RAM)', layers: count(-1), hasOutput: a.output === -1, availableBytes: host.availableBytes };
  devices.push(cpuDevice);
  // On unified memory the GPU's share comes out of the same RAM as the CPU's.
  const hostNeed = cpuDevice.totalBytes + devices.filter((d) => gpus.find((g) => g.id === d.id)?.unified).reduce((s, d) => s + d.totalBytes, 0);
  if (hostNeed > host.availableBytes) overflows.push({ label: 'CPU (system RAM)', needBytes: hostNeed, availableBytes: host.availableBytes, device: cpuDevice });
  return { devices, overflows, contextPerSlot: est.contextPerSlot, shares: gpus.length > 1 && layout.splitMode !== 'none' ? shares : null };
}

/**
 * Shares that fill each GPU in proportion to the memory left after its fixed costs (overhead, compute
 * buffer, output layer), corrected a few times where the estimate still overflows.
 */
export function balancedShares(m: EstimatorInput, knobs: Knobs, layout: Layout, host: HostBudget): number[] {
  const MiB = 1024 * 1024;
  let shares = layout.gpus.map((g) => g.availableBytes);
  const first = evaluate(m, knobs, { ...layout, shares }, host);
  shares = layout.gpus.map((g) => {
    const d = first.devices.find((x) => x.id === g.id);
    const fixed = d ? d.overheadBytes + d.computeBytes + (d.hasOutput ? m.outputBytes : 0) : g.overheadBytes;
    return Math.max(MiB, g.availableBytes - fixed);
  });
  for (let i = 0; i < 6; i++) {
    const ev = evaluate(m, knobs, { ...layout, shares }, host);
    const gpuOver = ev.overflows.filter((o) => o.device.kind === 'gpu');
    if (gpuOver.length === 0) break;
    shares = shares.map((s, k) => {
      const o = gpuOver.find((x) => x.device.id === layout.gpus[k]!.id);
      return o ? Math.max(MiB, s * (o.availableBytes / o.needBytes) * 0.98) : s;
    });
  }
  return shares.map((s) => Math.max(1, Math.round(s / MiB)));
}

/** "needs 9.8 GiB, 6.1 GiB available (weights 7.9 GiB, KV cache 1.0 GiB, compute 512 MiB, overhead 384 MiB)". */
export function describeNeed(o: Overflow): string {
  const d = o.device;
  const parts = [`weights ${formatBytes(d.weightsBytes)}`, `KV cache ${formatBytes(d.kvBytes)}`, `compute ${formatBytes(d.computeBytes)}`];
  if (d.overheadBytes > 0) parts.push(`overhead ${formatBytes(d.overheadBytes)}`);
  return `needs ${formatBytes(o.needBytes)}, ${formatBytes(Math.max(0, o.availableBytes))} available (${parts.join(', ')})`;
}
