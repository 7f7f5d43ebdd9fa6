// The placement planner: where a model goes, and why not elsewhere. Pure: no I/O, no clock.
// Order of preference: the one GPU that fits best → a layer split over GPUs → (default context only)
// a smaller context that keeps every layer on GPUs → partial offload → CPU only. Never more than each
// device can give (free memory, instances already placed, safety margin). When nothing good fits, it
// proposes which idle instances to stop (least recently used first, never a pinned one).
import type { EstimatorInput, PlacementOverrides, PlacementPlan, PlacementResult, PlacementSettings, Rejection } from '../../contract/placement.js';
import { type Candidate, gpuCandidates, hostBudget, type HostBudget, type PlannerMachine } from './devices.js';
import { formatBytes } from './format.js';
import { balancedShares, describeNeed, evaluate, type Evaluation, type Knobs, type Layout } from './layout.js';
import { buildPlan } from './plan-text.js';
import { resolveOverrides, type Resolved } from './overrides.js';
import { acrossMachines, remoteCandidates, remoteRefusals } from './remote.js';

const MiB = 1024 ** 2;

export const DEFAULT_PLACEMENT_SETTINGS: PlacementSettings = {
  gpuMarginBytes: 512 * MiB,
  ramMarginBytes: 1024 * MiB,
  gpuOverheadBytes: 384 * MiB,
  defaultContextSize: 8192,
  minContextSize: 4096,
  defaultParallel: 1,
};

export interface PlanInput extends PlannerMachine {
  model: EstimatorInput;
  modelPath: string;
  overrides?: PlacementOverrides;
  settings?: Partial<PlacementSettings>;
}

interface Found {
  layout: Layout;
  knobs: Knobs;
  ev: Evaluation;
}

interface Ctx {
  m: EstimatorInput;
  host: HostBudget;
  gpus: Candidate[];
  /** Devices of RPC workers the plan may use (none with `workers: never`). */
  remotes: Candidate[];
  rejected: Rejection[];
  /** Why each GPU could not take the whole model alone (kept for rejected[]). */
  singleFail: Map<string, string>;
}

const fits = (f: Found) => f.ev.overflows.length === 0;

function layoutFor(ctx: Ctx, knobs: Knobs, gpus: Candidate[], ngl: number, r: Resolved): Layout {
  const base: Layout = { gpus, nGpuLayers: ngl, shares: r.tensorSplit, splitMode: r.splitMode, mainGpu: r.mainGpu };
  if (gpus.length < 2 || r.tensorSplit || r.splitMode === 'none') return base;
  return { ...base, shares: balancedShares(ctx.m, knobs, base, ctx.host) };
}

function tryLayout(ctx: Ctx, knobs: Knobs, gpus: Candidate[], ngl: number, r: Resolved): Found {
  const layout = layoutFor(ctx, knobs, gpus, ngl, r);
  return { layout, knobs, ev: evaluate(ctx.m, knobs, layout, ctx.host) };
}

/** Every layer on GPUs: the single best-fitting GPU, else a split over the fewest, largest GPUs. */
function allOnGpus(ctx: Ctx, knobs: Knobs, r: Resolved): Found | null {
  const all = ctx.m.layers.length + 1;
  const singles = ctx.gpus
    .map((g) => tryLayout(ctx, knobs, [g], all, { ...r, splitMode: 'layer', mainGpu: 0 }))
    .filter((f) => {
      if (fits(f)) return true;
      const o = f.ev.overflows[0]!;
      ctx.singleFail.set(f.layout.gpus[0]!.id, `${describeNeed(o)} for all ${all} layers at context ${knobs.contextSize} × ${knobs.parallel}`);
      return false;
    })
    .sort((a, b) => a.layout.gpus[0]!.availableBytes - b.layout.gpus[0]!.availableBytes);
  if (singles[0]) return singles[0];
  const bySize = [...ctx.gpus].sort((a, b) => b.availableBytes - a.availableBytes);
  for (let k = 2; k <= bySize.length; k++) {
    const set = bySize.slice(0, k).sort((a, b) => a.gpuIndex - b.gpuIndex);
    const f = tryLayout(ctx, knobs, set, all, r);
    if (fits(f)) return f;
  }
  return null;
}

/** As many layers on the GPUs as fit, the rest on the CPU. */
function partialOffload(ctx: Ctx, knobs: Knobs, gpus: Candidate[], r: Resolved, from: number): Found | null {
  for (let ngl = from; ngl >= 1; ngl--) {
    const f = tryLayout(ctx, knobs, gpus, ngl, r);
    if (fits(f)) return f;
  }
  return null;
}

function cpuOnly(ctx: Ctx, knobs: Knobs): Found {
  return {
    knobs,
    layout: { gpus: [], nGpuLayers: 0, shares: null, splitMode: 'layer', mainGpu: 0 },
    ev: evaluate(ctx.m, knobs, { gpus: [], nGpuLayers: 0, shares: null, splitMode: 'layer', mainGpu: 0 }, ctx.host),
  };
}

/** Smaller contexts to try (only when the user did not choose one). */
function contextLadder(r: Resolved, settings: PlacementSettings): number[] {
  const out = [r.knobs.contextSize];
  if (r.fixedContext) return out;
  for (let c = Math.floor(r.knobs.contextSize / 2); c >= settings.minContextSize; c = Math.floor(c / 2)) out.push(c);
  return out;
}

/** The search without a fixed layer count: all on GPUs here (smaller context if needed) → all on devices here and on workers → partial offload → CPU → CPU here plus workers. */
function search(ctx: Ctx, r: Resolved, settings: PlacementSettings): { found: Found | null; warnings: string[] } {
  // `workers: always`: only plans that put part of the model on a worker.
  const here = !(r.workers === 'always' && ctx.remotes.length > 0);
  const locals = [...ctx.gpus].sort((a, b) => a.gpuIndex - b.gpuIndex);
  if (here && !r.cpuOnly && ctx.gpus.length > 0) {
    for (const contextSize of contextLadder(r, settings)) {
      const f = allOnGpus(ctx, { ...r.knobs, contextSize }, r);
      if (!f) continue;
      const warnings = contextSize < r.knobs.contextSize ? [`context lowered from ${r.knobs.contextSize} to ${contextSize} tokens per slot so that every layer fits on the GPU`] : [];
      return { found: f, warnings };
    }
  }
  const remote = ctx.remotes.length > 0 ? acrossMachines(ctx.m, r.knobs, ctx.host, locals, ctx.remotes, 'devices') : null;
  if (remote) return { found: remote, warnings: [] };
  if (here && !r.cpuOnly && ctx.gpus.length > 0) {
    const f = partialOffload(ctx, r.knobs, locals, r, ctx.m.layers.length);
    if (f) return { found: f, warnings: [] };
  }
  const cpu = cpuOnly(ctx, r.knobs);
  if (here && fits(cpu)) return { found: cpu, warnings: [] };
  const withCpu = ctx.remotes.length > 0 ? acrossMachines(ctx.m, r.knobs, ctx.host, locals, ctx.remotes, 'with-cpu') : null;
  if (withCpu) return { found: withCpu, warnings: [] };
  if (ctx.remotes.length > 0) ctx.rejected.push(...remoteRefusals(ctx.m, r.knobs, ctx.host, locals, ctx.remotes));
  if (!fits(cpu)) ctx.rejected.push({ device: 'CPU', reason: `${describeNeed(cpu.ev.overflows[0]!)} of system RAM` });
  return { found: null, warnings: [] };
}

/** A layout the user fixed (layer count): honoured when it fits, else refused with the numbers. */
function fixedLayout(ctx: Ctx, r: Resolved): { found: Found; refusal: string | null } {
  const gpus = r.cpuOnly ? [] : [...ctx.gpus].sort((a, b) => a.gpuIndex - b.gpuIndex);
  const ngl = gpus.length === 0 ? 0 : r.nGpuLayers!;
  const f = gpus.length === 0 ? cpuOnly(ctx, r.knobs) : tryLayout(ctx, r.knobs, gpus, ngl, r);
  if (fits(f)) return { found: f, refusal: null };
  const best = gpus.length > 0 && ngl > 1 ? partialOffload(ctx, r.knobs, gpus, r, ngl - 1) : null;
  const hint = best ? ` At most ${best.layout.nGpuLayers} layers fit.` : '';
  const what = gpus.length === 0 ? 'CPU only' : `nGpuLayers ${ngl}`;
  return { found: f, refusal: `${what} does not fit: ${f.ev.overflows.map((o) => `${o.label} ${describeNeed(o)}`).join('; ')}.${hint}` };
}

function place(input: PlanInput, r: Resolved, settings: PlacementSettings, evicted: ReadonlySet<string>): { found: Found | null; refusal: string | null; warnings: string[]; ctx: Ctx } {
  const rejected: Rejection[] = [];
  let gpus = gpuCandidates(input, settings, evicted, rejected);
  if (r.devices) {
    for (const g of gpus) if (!r.devices.includes(g.id)) rejected.push({ device: g.label, reason: 'not selected (devices override)' });
    gpus = r.devices.map((id) => gpus.find((g) => g.id === id)).filter((g): g is Candidate => g !== undefined);
  }
  const remotes = r.workers === 'never' ? [] : remoteCandidates(input, settings, evicted, rejected);
  if (r.workers === 'always' && remotes.length === 0)
    return {
      found: null,
      refusal: `workers is 'always' but no worker device is usable${(input.remote ?? []).length === 0 ? ' (no worker is registered: `llama-orch workers add <host:port>`)' : ''}`,
      warnings: [],
      ctx: { m: input.model, host: hostBudget(input, settings, evicted), gpus, remotes, rejected, singleFail: new Map() },
    };
  const host = hostBudget(input, settings, evicted);
  if (r.localRamLimitBytes !== null && r.localRamLimitBytes < host.availableBytes) host.availableBytes = r.localRamLimitBytes;
  const ctx: Ctx = { m: input.model, host, gpus, remotes, rejected, singleFail: new Map() };
  const missing = r.devices?.filter((id) => !gpus.some((g) => g.id === id)) ?? [];
  if (missing.length > 0) {
    const usable = gpuCandidates(input, settings, evicted, []).map((g) => g.id);
    return { found: null, refusal: `cannot use device ${missing.join(', ')} (usable here: ${usable.join(', ') || 'none, CPU only'})`, warnings: [], ctx };
  }
  if (r.tensorSplit && r.tensorSplit.length !== Math.max(gpus.length, 1)) {
    return { found: null, refusal: `tensorSplit has ${r.tensorSplit.length} shares but the plan uses ${gpus.length} GPUs (${gpus.map((g) => g.id).join(', ')})`, warnings: [], ctx };
  }
  if (r.splitMode === 'none' && r.mainGpu >= Math.max(gpus.length, 1)) {
    return { found: null, refusal: `mainGpu ${r.mainGpu} is not one of the ${gpus.length} GPUs of the plan`, warnings: [], ctx };
  }
  if (r.nGpuLayers !== null || r.cpuOnly) {
    const { found, refusal } = fixedLayout(ctx, r);
    return { found, refusal, warnings: [], ctx };
  }
  const { found, warnings } = search(ctx, r, settings);
  if (found || !r.force) return { found, refusal: found ? null : 'does not fit on this machine', warnings, ctx };
  // Forced with nothing that fits: every layer on the selected GPUs (or the CPU), as asked.
  const all =
    ctx.gpus.length > 0
      ? tryLayout(
          ctx,
          r.knobs,
          [...ctx.gpus].sort((a, b) => a.gpuIndex - b.gpuIndex),
          input.model.layers.length + 1,
          r,
        )
      : cpuOnly(ctx, r.knobs);
  return { found: all, refusal: `does not fit: ${all.ev.overflows.map((o) => `${o.label} ${describeNeed(o)}`).join('; ')}`, warnings, ctx };
}

function rejectionsFor(ctx: Ctx, plan: PlacementPlan | null): Rejection[] {
  const used = new Set(plan?.engineDevices ?? []);
  const out = [...ctx.rejected];
  for (const g of ctx.gpus) {
    if (used.has(g.id)) continue;
    const why = ctx.singleFail.get(g.id);
    out.push({ device: g.label, reason: why ?? (plan?.fit === 'gpu' ? 'not needed: the model fits on another GPU that leaves more room for other models' : 'not used by this plan') });
  }
  const onWorkers = new Set((plan?.devices ?? []).filter((d) => d.worker).map((d) => d.id));
  for (const g of ctx.remotes) {
    if (onWorkers.has(g.id) || out.some((x) => x.device === g.label)) continue;
    out.push({ device: g.label, reason: plan && !plan.rpcServers?.length ? 'not needed: the model fits on this machine' : 'not used by this plan' });
  }
  return out;
}

export function plan(input: PlanInput): PlacementResult {
  const settings = { ...DEFAULT_PLACEMENT_SETTINGS, ...input.settings };
  const resolved = resolveOverrides(input, settings);
  if (!resolved.ok) return { plan: null, rejected: [], eviction: null, error: resolved.error };
  const r = resolved.value;
  const none = new Set<string>();
  const first = place(input, r, settings, none);
  const forcedThrough = first.refusal !== null && r.force && first.found !== null;
  const planned =
    first.found && (first.refusal === null || forcedThrough)
      ? buildPlan(input, first.found, { forced: forcedThrough, warnings: [...r.warnings, ...first.warnings, ...(forcedThrough ? [`forced: ${first.refusal}`] : [])] })
      : null;
  const rejected = rejectionsFor(first.ctx, planned);
  const eviction = planned?.fit === 'gpu' || planned?.fit === 'split' || (r.cpuOnly && planned) || (r.nGpuLayers !== null && planned) ? null : proposeEviction(input, r, settings, planned !== null);
  const error = planned ? null : refusalText(input, first, rejected, r.force);
  return { plan: planned, rejected, eviction, error };
}

function refusalText(input: PlanInput, first: ReturnType<typeof place>, rejected: Rejection[], force: boolean): string {
  const name = input.model.name ?? 'the model';
  if (first.found && first.refusal) return `${name}: ${first.refusal}${force ? '' : ' Use force to start it anyway.'}`;
  const why = rejected.map((x) => `${x.device} ${x.reason}`).join('; ');
  return `${name} ${first.refusal ?? 'does not fit on this machine'}${why ? `: ${why}` : ''}`;
}

/** Stop idle, unpinned instances, least recently used first, until the model fits (on GPUs if it already fits elsewhere). */
function proposeEviction(input: PlanInput, r: Resolved, settings: PlacementSettings, alreadyPlaced: boolean): PlacementResult['eviction'] {
  const idle = (input.running ?? []).filter((x) => x.idle && !x.pinned).sort((a, b) => a.lastUsedAt - b.lastUsedAt);
  const evicted = new Set<string>();
  for (const inst of idle) {
    evicted.add(inst.instanceId);
    const attempt = place(input, r, settings, evicted);
    if (!attempt.found || attempt.refusal) continue;
    const p = buildPlan(input, attempt.found, { forced: false, warnings: [...r.warnings, ...attempt.warnings] });
    if (alreadyPlaced && p.fit !== 'gpu' && p.fit !== 'split') continue;
    const ids = [...evicted];
    const freed = ids.length === 1 ? `instance ${ids[0]}` : `instances ${ids.join(', ')}`;
    return {
      instanceIds: ids,
      plan: p,
      reason: `stopping idle ${freed} (least recently used) frees ${formatBytes(idleBytes(input, evicted))} so that ${alreadyPlaced ? 'every layer fits on the GPU' : 'the model fits'}`,
    };
  }
  return null;
}

function idleBytes(input: PlanInput, ids: ReadonlySet<string>): number {
  return (input.running ?? []).filter((x) => ids.has(x.instanceId)).reduce((s, x) => s + Object.values(x.bytesByDevice).reduce((a, b) => a + b, 0), 0);
}
