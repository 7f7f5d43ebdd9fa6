// A found layout → the plan the engine receives, with its one-line summary for people.
import type { PlacementPlan, PlanDevice, PlanFit } from '../../contract/placement.js';
import { formatBytes, gpuLabel, plural } from './format.js';
import type { Evaluation, Knobs, Layout } from './layout.js';
import type { PlanInput } from './planner.js';
import { networkCost, rpcNames } from './remote.js';

function fitOf(layout: Layout, ev: Evaluation, nLayers: number): PlanFit {
  const onGpus = ev.devices.filter((d) => d.kind === 'gpu' && (d.layers > 0 || d.hasOutput));
  if (onGpus.length === 0) return 'cpu';
  if (Math.min(layout.nGpuLayers, nLayers + 1) <= nLayers) return 'partial';
  return onGpus.length > 1 ? 'split' : 'gpu';
}

function deviceLine(d: PlanDevice, total: number): string {
  const layers = d.layers + (d.hasOutput ? 1 : 0);
  const name = d.worker ? `${d.name} on worker ${d.worker}` : d.kind === 'gpu' ? gpuLabel(d.gpuIndex ?? 0, d.name) : 'CPU';
  const mem = d.kind === 'gpu' ? `${formatBytes(d.totalBytes)} of ${formatBytes(d.availableBytes)} free` : `${formatBytes(d.totalBytes)} of ${formatBytes(d.availableBytes)} RAM free`;
  return `${name}: ${layers}/${total} layers, ${mem}`;
}

export function summaryLine(devices: PlanDevice[], nLayers: number, knobs: Knobs, contextPerSlot: number): string {
  const total = nLayers + 1;
  const gpus = devices.filter((d) => d.kind === 'gpu' && (d.layers > 0 || d.hasOutput));
  const cpu = devices.find((d) => d.kind === 'cpu')!;
  const lines = gpus.map((d) => deviceLine(d, total));
  if (gpus.length === 0 || cpu.layers > 0 || cpu.hasOutput) lines.push(deviceLine(cpu, total));
  return `${lines.join('; ')}; context ${contextPerSlot} × ${plural(knobs.parallel, 'slot')}`;
}

/**
 * The engine's compute threads: every core but one. ggml's threads spin at each barrier of a decode,
 * so with one per core any other runnable thread — the gateway, the engine's own HTTP threads that
 * notice a client has gone, the UI — stalls a whole decode while it runs: on 2 cores, slots of
 * aborted streams stayed busy 0.3–1 s instead of ≤ 0.1 s (`npm run bench -- cancel`). Token
 * generation is memory-bound, so the core left free costs little throughput.
 */
export function computeThreads(cores: number): number {
  return Math.max(1, cores - 1);
}

export function buildPlan(input: PlanInput, found: { layout: Layout; knobs: Knobs; ev: Evaluation }, extra: { forced: boolean; warnings: string[] }): PlacementPlan {
  const { layout, knobs, ev } = found;
  const n = input.model.layers.length;
  const used = layout.gpus.filter((g) => ev.devices.some((d) => d.id === g.id));
  const cpu = input.hardware.cpu;
  // Worker devices keep their stable `<worker>/<device>` id in `devices`; the engine knows them as RPC<n>.
  const rpc = rpcNames(used);
  const engineDevices = used.map((g) => rpc.engineIds.get(g.id) ?? g.id);
  const nGpuLayers = used.length === 0 ? 0 : Math.min(layout.nGpuLayers, n + 1);
  const tensorSplit = used.length > 1 && layout.splitMode !== 'none' && ev.shares ? ev.shares.filter((_, i) => used.includes(layout.gpus[i]!)) : null;
  const remote =
    rpc.servers.length > 0
      ? {
          rpcServers: rpc.servers,
          network: networkCost(
            input.model,
            { nGpuLayers, tensorSplit },
            ev.devices,
            used.map((g) => g.id),
          ),
        }
      : {};
  return {
    modelPath: input.modelPath,
    fit: fitOf(layout, ev, n),
    engineDevices,
    nGpuLayers,
    splitMode: used.length > 1 ? layout.splitMode : 'none',
    tensorSplit,
    mainGpu: used.length === 1 ? 0 : layout.mainGpu,
    contextSize: ev.contextPerSlot,
    parallel: knobs.parallel,
    cacheTypeK: knobs.cacheTypeK,
    cacheTypeV: knobs.cacheTypeV,
    flashAttention: knobs.flashAttention,
    threads: computeThreads(cpu.cores ?? cpu.threads),
    devices: ev.devices,
    summary: summaryLine(ev.devices, n, knobs, ev.contextPerSlot),
    forced: extra.forced,
    warnings: [...input.model.caveats, ...extra.warnings, ...(remote.network ? [`split over machines: ${remote.network.text}`] : [])],
    ...(remote.network !== undefined ? remote : rpc.servers.length > 0 ? { rpcServers: rpc.servers } : {}),
  };
}
