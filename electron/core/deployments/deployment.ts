// One deployment, live: its saved (or default) configuration, the placement its engine runs with and
// the supervisor instance serving it. It owns its own start: callers ask `ensureReady()` and the
// object decides whether to plan, start, wait or return at once (one start in flight at a time).
import type { Deployment, InstanceInfo, InstancePlacement, PlacementOverrides, PlacementPlan, PlacementResult, RunningPlacement } from '../../contract/index.js';
import { planToArgs, type LaunchPlan } from '../engines/args.js';
import type { LaunchSpec } from '../supervisor/instance.js';
import { DeploymentError } from './errors.js';
import { deploymentFlags } from './flags.js';

/** Engine slots when neither the deployment nor a plan says (llama-server's own default is 4 as well). */
export const DEFAULT_SLOTS = 4;

/** What a deployment needs of an engine instance (the supervisor's EngineInstance; a fake in unit tests). */
export interface LiveInstance {
  readonly apiKey: string;
  readonly spec: LaunchSpec;
  ensureReady(): Promise<void>;
  info(): InstanceInfo;
  baseUrl(): string | null;
}

/** The effects seam: everything a deployment does to the world goes through here. */
export interface DeploymentEffects {
  /** Where the planner puts the model; throws when the file's header cannot be read. Absent: engine defaults. */
  place?(modelPath: string, overrides: PlacementOverrides, running: RunningPlacement[]): Promise<PlacementResult>;
  /** The binary of a pinned engine, or of the default engine when null; throws with a reason. */
  engineBinary(engine: string | null): string;
  createInstance(spec: LaunchSpec): LiveInstance;
  removeInstance(id: string): Promise<void>;
  /** Placements of the other running deployments, for the planner. */
  running(except: string): RunningPlacement[];
  /** Instances the planner proposes to stop to make room. */
  evict(ids: string[], forName: string, reason: string): Promise<void>;
  now(): number;
  /** How long the engine may take to load this file (scaled by its size and the disk's speed). */
  loadDeadlineMs?(modelPath: string): Promise<number>;
  /** Rolling restart: take the running instance off its id (it keeps serving); returns its key. */
  retireInstance?(id: string): string | null;
  /** Put a retired instance back (its replacement failed). */
  restoreInstance?(key: string, id: string): void;
  /** Stop a retired instance once its in-flight requests are done. */
  drainInstance?(key: string): Promise<void>;
}

interface Launch {
  placement: PlacementPlan | null;
  spec: LaunchSpec;
}

export class LiveDeployment {
  instance: LiveInstance | null = null;
  placement: PlacementPlan | null = null;
  lastUsedAt = 0;
  /** The vision projector the library pairs with the model (used when the deployment sets none). */
  pairedMmproj: string | null = null;
  private starting: Promise<LiveInstance> | null = null;
  /** The old engine's removal while an unload is stopping it (its id is not free before). */
  private removing: Promise<void> | null = null;

  constructor(
    public config: Deployment,
    /** false: defaults for a model without a saved deployment (nothing is written for it). */
    public saved: boolean,
    /** The GGUF file the engine loads (resolved from the library or given as a path). */
    public modelPath: string,
    private readonly fx: DeploymentEffects,
  ) {}

  get name(): string {
    return this.config.name;
  }

  /** The projector the engine is started with: the deployment's own, else the library's pairing. */
  projector(config = this.config): string | null {
    return config.mmproj ?? this.pairedMmproj;
  }

  /** Concurrent requests the engine serves. */
  slots(): number {
    return this.placement?.parallel ?? this.config.overrides.parallel ?? (this.config.reproducible ? 1 : DEFAULT_SLOTS);
  }

  /** The instance serving this deployment, created (placed, not yet ready) on first use. */
  ensureInstance(): Promise<LiveInstance> {
    if (this.instance && !this.lostWorker()) return Promise.resolve(this.instance);
    if (!this.starting) {
      // An engine split over RPC workers that failed (a worker went away, so it cannot start against
      // it) is replaced by a new plan, which sees only the workers that answer now.
      // An unload still stopping the old engine holds the instance id: the new one waits for it.
      const replaced = this.instance ? this.unload() : (this.removing ?? Promise.resolve());
      this.starting = replaced
        .then(() => this.prepare(this.config, this.modelPath, this.name))
        .then((launch) => this.launch(launch))
        .finally(() => (this.starting = null));
    }
    return this.starting;
  }

  private lostWorker(): boolean {
    return this.instance?.info().state === 'failed' && (this.placement?.rpcServers?.length ?? 0) > 0;
  }

  /** The engine, ready to answer: started (and placed) if needed. */
  async ensureReady(): Promise<LiveInstance> {
    const inst = await this.ensureInstance();
    await inst.ensureReady();
    this.lastUsedAt = this.fx.now();
    return inst;
  }

  /**
   * Switch to a new configuration. The new placement is planned first (not counting this
   * deployment's own engine), so a refusal throws and leaves the running engine untouched; a running
   * engine is then restarted with the new argv.
   */
  async apply(next: Deployment, modelPath: string, pairedMmproj = this.pairedMmproj): Promise<void> {
    const wasRunning = this.instance !== null || this.starting !== null;
    const before = this.pairedMmproj;
    this.pairedMmproj = pairedMmproj;
    let launch: Launch | null;
    try {
      launch = wasRunning ? await this.prepare(next, modelPath, this.name) : null;
    } catch (err) {
      this.pairedMmproj = before;
      throw err;
    }
    this.config = next;
    this.modelPath = modelPath;
    if (!launch) return;
    await this.starting?.catch(() => undefined);
    await this.unload();
    this.launch(launch);
  }

  /**
   * Move a running engine onto the engine the configuration resolves to now (a new default): the new
   * instance starts beside the old one, which serves until the new one is ready and is stopped after
   * its in-flight requests finish. A failure to start leaves the old one serving and throws.
   */
  async restartOnEngine(): Promise<{ readyMs: number } | null> {
    await this.starting?.catch(() => undefined);
    const old = this.instance;
    if (!old || !this.fx.retireInstance) return null;
    const launch = await this.prepare(this.config, this.modelPath, this.name);
    if (launch.spec.enginePath === old.spec.enginePath) return null;
    const key = this.fx.retireInstance(this.name);
    if (key === null) return null;
    const t0 = this.fx.now();
    const next = this.fx.createInstance(launch.spec);
    try {
      await next.ensureReady();
    } catch (err) {
      await this.fx.removeInstance(this.name);
      this.fx.restoreInstance?.(key, this.name);
      throw err;
    }
    if (this.instance !== old) {
      // Unloaded while the new engine started: nothing may keep running for it.
      await this.fx.removeInstance(this.name);
      await this.fx.drainInstance?.(key);
      return null;
    }
    this.instance = next;
    this.placement = launch.placement;
    const readyMs = this.fx.now() - t0;
    await this.fx.drainInstance?.(key);
    return { readyMs };
  }

  async unload(): Promise<void> {
    if (!this.instance) return;
    this.instance = null;
    this.placement = null;
    const removal = this.fx.removeInstance(this.name);
    const pending = removal
      .catch(() => undefined)
      .finally(() => {
        if (this.removing === pending) this.removing = null;
      });
    this.removing = pending;
    await removal;
  }

  /** Plan (evicting idle engines the planner names) and build the launch spec; starts nothing. */
  private async prepare(config: Deployment, modelPath: string, reloading: string): Promise<Launch> {
    let enginePath: string;
    try {
      enginePath = this.fx.engineBinary(config.engine);
    } catch (err) {
      throw new DeploymentError('engine_unavailable', `deployment '${config.name}' cannot be served: ${(err as Error).message}`, 'engine', 5);
    }
    const placement = this.fx.place ? await this.placeModel(config, modelPath, reloading) : null;
    const extra = deploymentFlags({ ...config, mmproj: this.projector(config) });
    const slots = config.overrides.parallel ?? (config.reproducible ? 1 : DEFAULT_SLOTS);
    const plan: LaunchPlan = placement
      ? { modelPath, alias: config.name, placement, extra }
      : { modelPath, alias: config.name, parallel: slots, ...(config.overrides.contextSize ? { contextSize: config.overrides.contextSize * slots } : {}), extra };
    const readyTimeoutMs = await this.fx.loadDeadlineMs?.(modelPath);
    const spec: LaunchSpec = {
      id: config.name,
      modelId: config.name,
      modelPath,
      enginePath,
      args: planToArgs(plan),
      placement: placement ? summaryOf(placement) : null,
      ...(readyTimeoutMs ? { readyTimeoutMs } : {}),
    };
    return { placement, spec };
  }

  private launch(launch: Launch): LiveInstance {
    this.placement = launch.placement;
    this.instance = this.fx.createInstance(launch.spec);
    return this.instance;
  }

  private async placeModel(config: Deployment, modelPath: string, reloading: string): Promise<PlacementPlan> {
    // Reproducible mode defaults to one slot; slots the user set explicitly are kept (a seeded request
    // still repeats while requests do not overlap).
    const overrides: PlacementOverrides = { ...(config.reproducible ? { parallel: 1 } : {}), ...config.overrides };
    let result: PlacementResult;
    try {
      result = await this.fx.place!(modelPath, overrides, this.fx.running(reloading));
    } catch (err) {
      throw new DeploymentError('model_unreadable', `deployment '${config.name}' cannot be placed: ${(err as Error).message}`, 'model');
    }
    if (result.plan) return result.plan;
    if (result.eviction) {
      await this.fx.evict(result.eviction.instanceIds, config.name, result.eviction.reason);
      return result.eviction.plan;
    }
    const why = result.error ?? 'no device has room';
    const userSet = Object.keys(config.overrides).length > 0;
    // The user's own settings were refused (with the planner's numbers); `force` overrides that.
    if (userSet) throw new DeploymentError('placement_refused', `deployment '${config.name}' cannot be loaded as asked: ${why}`, 'overrides');
    throw new DeploymentError('model_does_not_fit', `deployment '${config.name}' does not fit on this machine: ${why}`, 'model');
  }
}

function summaryOf(p: PlacementPlan): InstancePlacement {
  return {
    summary: p.summary,
    contextSize: p.contextSize,
    parallel: p.parallel,
    devices: p.devices.map((d) => ({ id: d.id, name: d.name, gpuIndex: d.gpuIndex, layers: d.layers, totalBytes: d.totalBytes })),
  };
}
