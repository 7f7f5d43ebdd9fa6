// Placement over RPC workers (llama.cpp `rpc-server` on other machines): their devices as candidates,
// the search for a split that keeps as much of the model here as fits, the engine's names for the
// devices it uses (`--rpc a,b` numbers every device of those workers RPC0, RPC1, … in order) and the
// network cost of the split. Pure, like the rest of the planner.
import type { EstimatorInput, NetworkCost, PlacementPlan, PlacementSettings, PlanDevice, Rejection } from '../../contract/placement.js';
import { assignLayers } from './estimator.js';
import { committed, type Candidate, type HostBudget, type PlannerMachine } from './devices.js';
import { formatBytes } from './format.js';
import { describeNeed, evaluate, type Evaluation, type Knobs, type Layout } from './layout.js';

export interface RemoteFound {
  layout: Layout;
  knobs: Knobs;
  ev: Evaluation;
}

/** Smaller weights first: the workers get the least share of the layers that still fits. */
const REMOTE_WEIGHTS = [1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1];

export function remoteLabel(d: { worker: string; id: string; name: string; kind: 'cpu' | 'gpu' }): string {
  return d.kind === 'cpu' ? `worker ${d.worker} CPU` : `worker ${d.worker} ${d.id} (${d.name})`;
}

/** Worker devices the plan may use, with the memory each can give (free − what our engines hold there − margin). */
export function remoteCandidates(machine: PlannerMachine, settings: PlacementSettings, evicted: ReadonlySet<string>, rejected: Rejection[]): Candidate[] {
  const out: Candidate[] = [];
  for (const d of machine.remote ?? []) {
    const label = remoteLabel(d);
    if (!d.usable) {
      rejected.push({ device: label, reason: d.reason ?? 'not usable now' });
      continue;
    }
    if (d.freeBytes === null) {
      rejected.push({ device: label, reason: 'its free memory is unknown (the worker did not report it)' });
      continue;
    }
    const id = `${d.worker}/${d.id}`;
    const margin = d.kind === 'cpu' ? settings.ramMarginBytes : settings.gpuMarginBytes;
    const available = d.freeBytes - committed(machine.running, id, evicted) - margin;
    if (available <= 0) {
      rejected.push({ device: label, reason: `no memory left: ${formatBytes(Math.max(0, d.freeBytes))} free, ${formatBytes(margin)} kept as a safety margin` });
      continue;
    }
    out.push({
      id,
      gpuIndex: -1,
      name: d.name,
      label,
      totalBytes: d.totalBytes ?? d.freeBytes,
      availableBytes: available,
      overheadBytes: d.kind === 'gpu' ? settings.gpuOverheadBytes : 0,
      unified: false,
      worker: d.worker,
      position: d.position,
      workerDevices: d.workerDevices,
      remoteKind: d.kind,
    });
  }
  return out;
}

const fits = (ev: Evaluation) => ev.overflows.length === 0;
// At least one repeating layer: the output layer alone on a worker would be a split in name only.
const usesWorker = (ev: Evaluation) => ev.devices.some((d) => d.worker !== undefined && d.layers > 0);

function attempt(m: EstimatorInput, knobs: Knobs, host: HostBudget, gpus: Candidate[], ngl: number, weight: number): RemoteFound {
  const shares = gpus.map((g) => (g.worker ? Math.max(1, g.availableBytes * weight) : g.availableBytes));
  const layout: Layout = { gpus, nGpuLayers: ngl, shares, splitMode: 'layer', mainGpu: 0 };
  return { layout, knobs, ev: evaluate(m, knobs, layout, host) };
}

/**
 * A split over this machine and the workers. `devices`: every layer on local GPUs and worker devices
 * (tried before offloading layers to this machine's CPU). `with-cpu`: the first layers stay on this
 * machine's CPU, as few as possible go to the devices. Within each, the workers' share grows from
 * 1/64 of their memory until everything fits: local devices are preferred, the network carries the least.
 */
export function acrossMachines(m: EstimatorInput, knobs: Knobs, host: HostBudget, locals: Candidate[], remotes: Candidate[], mode: 'devices' | 'with-cpu'): RemoteFound | null {
  // Every layer on devices: GPUs only (a worker's CPU is no better than this machine's).
  const gpus = [...locals, ...(mode === 'devices' ? remotes.filter((g) => g.remoteKind === 'gpu') : remotes)];
  if (!gpus.some((g) => g.worker)) return null;
  const n = m.layers.length;
  const layerCounts = mode === 'devices' ? [n + 1] : Array.from({ length: n + 1 }, (_, i) => i + 1);
  for (const ngl of layerCounts) {
    for (const w of REMOTE_WEIGHTS) {
      const f = attempt(m, knobs, host, gpus, ngl, w);
      if (fits(f.ev) && usesWorker(f.ev)) return f;
    }
  }
  return null;
}

/** Why the workers could not take the rest: every layer spread by memory, and what overflows where. */
export function remoteRefusals(m: EstimatorInput, knobs: Knobs, host: HostBudget, locals: Candidate[], remotes: Candidate[]): Rejection[] {
  const f = attempt(m, knobs, host, [...locals, ...remotes], m.layers.length + 1, 1);
  return f.ev.overflows.filter((o) => o.device.worker !== undefined).map((o) => ({ device: o.label, reason: `${describeNeed(o)} with every device of this machine and the workers in use` }));
}

/** The engine's device names: `--rpc a,b` registers a's devices as RPC0…, then b's, in order. */
export function rpcNames(gpus: Candidate[]): { engineIds: Map<string, string>; servers: string[] } {
  const servers: string[] = [];
  for (const g of gpus) if (g.worker && !servers.includes(g.worker)) servers.push(g.worker);
  const offset = new Map<string, number>();
  let k = 0;
  for (const s of servers) {
    offset.set(s, k);
    k += gpus.find((g) => g.worker === s)?.workerDevices ?? 1;
  }
  const engineIds = new Map<string, string>();
  for (const g of gpus) if (g.worker) engineIds.set(g.id, `RPC${offset.get(g.worker)! + (g.position ?? 0)}`);
  return { engineIds, servers };
}

const GBIT = 1e9 / 8;
const RTT_MS = 0.2;

/**
 * Network cost per generated token: walking the layers in order (input on this machine's CPU, then
 * each layer's device, the output layer, and the logits back here), every change of machine sends
 * the hidden state (embedding length × 4 bytes, f32) — the last one sends the logits (vocab × 4) —
 * and costs one round trip. Only the activations are counted: the engine also sends the graph, the
 * attention mask and positions each step, so the real figure is higher (`npm run bench -- rpc`).
 */
export function networkCost(m: EstimatorInput, plan: Pick<PlacementPlan, 'nGpuLayers' | 'tensorSplit'>, devices: PlanDevice[], engineDevices: string[]): NetworkCost | undefined {
  const machineOf = (i: number) => (i < 0 ? 'here' : (devices.find((d) => d.id === engineDevices[i])?.worker ?? 'here'));
  const n = m.layers.length;
  const a = assignLayers(n, plan.nGpuLayers, plan.tensorSplit ?? engineDevices.map(() => 1));
  const seq = ['here', ...a.layers.map(machineOf), machineOf(a.output), 'here'];
  let crossings = 0;
  let bytes = 0;
  for (let i = 1; i < seq.length; i++) {
    if (seq[i] === seq[i - 1]) continue;
    crossings++;
    bytes += (i === seq.length - 1 ? m.vocabSize : m.embeddingLength) * 4;
  }
  if (crossings === 0) return undefined;
  const ms = (bytes / GBIT) * 1000 + crossings * RTT_MS;
  const size = bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : formatBytes(bytes);
  const text = `${crossings} machine boundar${crossings === 1 ? 'y' : 'ies'} per token: ~${size} of activations (hidden state ${m.embeddingLength} × 4 bytes per boundary, logits ${m.vocabSize} × 4 bytes back) and ${crossings} round trips per generated token, ≈ ${ms.toFixed(2)} ms per token at 1 Gbit/s and ${RTT_MS} ms per round trip (graph, mask and positions sent each step come on top)`;
  return { crossings, bytesPerToken: bytes, roundTripsPerToken: crossings, text };
}
