// The core's composition root: builds every service for a data dir and wires them to the HTTP API.
// Used in-process by the Electron main process and by `llama-orch serve`.
import { mkdirSync } from 'node:fs';
import { freemem } from 'node:os';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join, sep } from 'node:path';
import { API_PREFIXES, type CoreEvent, type RemoteDevice, type StatusResponse } from '../contract/index.js';
import { AccessPolicy } from './api/access.js';
import { gatewayAdminRoutes } from './api/routes/keys-settings.js';
import { Admission } from './api/admission.js';
import { KeyPolicy } from './api/key-policy.js';
import { AdminAuth } from './api/auth.js';
import { DeploymentRouter } from './api/deployment-router.js';
import { deploymentRoutes } from './api/routes/deployments.js';
import { Gateway } from './api/gateway.js';
import { collectAvailability, collectDeviceMetrics, GatewayMetrics } from './api/metrics.js';
import { ActivityLog } from './logs/request-log.js';
import { RequestRegistry } from './api/requests.js';
import { createApiServer, type RouteHandler } from './api/server.js';
import { defaultRendererDir } from './http/static.js';
import { sha256File } from './download/download.js';
import { resolveEngine } from './engines/locate.js';
import { engineRoutes } from './api/routes/engines.js';
import { EngineFacts } from './engines/facts.js';
import { CheckReports } from './engines/check-store.js';
import { EngineDefaults } from './engines/defaults.js';
import { engineUpgradeRoutes } from './api/routes/engine-upgrades.js';
import { EngineUpgrades } from './engines/upgrades.js';
import type { CheckSubject } from './engines/check.js';
import { EngineError } from './engines/installer.js';
import { installedEngineBinaries } from './engines/locate.js';
import { Deployments } from './deployments/service.js';
import { DeploymentStore } from './deployments/store.js';
import { EngineService } from './engines/service.js';
import { hardwareRoutes } from './api/routes/hardware.js';
import { planRoutes } from './api/routes/plans.js';
import { diagnosticsRoutes } from './api/routes/diagnostics.js';
import type { KitSources } from './kit/export.js';
import type { KitTargets } from './kit/import.js';
import { kitRoutes } from './api/routes/kit.js';
import { catalogRoutes } from './api/routes/catalog.js';
import { corePlanSources, planLoad, type PlanSources } from './plans/service.js';
import { HardwareService } from './hardware/service.js';
import { hubConfig, ModelLibrary, modelInUse, PullManager } from './models/index.js';
import { modelRoutes } from './api/routes/models.js';
import { dataLayout, type DataLayout } from './paths.js';
import { KeyStore } from './security/keys.js';
import { SettingsStore } from './settings/settings.js';
import { DEFAULT_POLICY, type InstancePolicy } from './supervisor/instance.js';
import { loadDeadlineFor } from './deployments/load-deadline.js';
import { instanceRoutes } from './api/routes/instances.js';
import { Supervisor } from './supervisor/supervisor.js';
import { Listeners } from './util/emitter.js';
import { restrictDataDir } from './util/data-dir-acl.js';
import { OpsStore } from './store/store.js';
import { AvailabilityRecorder } from './store/recorder.js';
import { reportRoutes } from './api/routes/reports.js';
import { sloFrom } from './reports/slo-settings.js';
import { Alerts } from './reports/alerts.js';
import { BurnRateMonitor } from './reports/burn-rate.js';
import { sloOf } from './reports/report.js';
import { CpuUtilisation, hardwareRows } from './reports/sampler.js';
import { listenError, resolveBind } from './util/net.js';
import { appVersion } from './version.js';
import { removeControlFile, writeControlFile } from './control-file.js';
import { GatewayRouter } from './api/upstream-router.js';
import { SecretBox } from './upstreams/secret-box.js';
import { Upstreams } from './upstreams/service.js';
import { UpstreamStore } from './upstreams/store.js';
import { upstreamRoutes } from './api/routes/upstreams.js';
import { WorkerRegistry } from './workers/registry.js';
import { workerRoutes } from './api/routes/workers.js';

export interface CoreOptions {
  dataDir: string;
  /** Bind address and port; default: the settings (127.0.0.1:8585). */
  host?: string;
  port?: number;
  /** Path to a llama-server binary (or engine folder); default: newest engine installed in the data dir. */
  enginePath?: string;
  rendererDir?: string;
  adminToken?: string;
  policy?: Partial<InstancePolicy>;
  /** Offline mode for this run (`serve --offline`), whatever the setting says. */
  offline?: boolean;
  /** How often idle models are checked against the idle TTL (tests shorten it). */
  idleSweepMs?: number;
}

const IDLE_SWEEP_MS = 5_000;
/** How often the workers used by running engines are checked; 2 misses in a row → their engines are stopped. */
const WORKER_WATCH_MS = 3_000;
const WORKER_MISSES = 2;
/** How often CPU/GPU utilisation (and power, where reported) is recorded for the energy figures. */
const HARDWARE_SAMPLE_MS = 30_000;

/** The default engine lives in the settings; its history beside them. */
function engineDefaultsFor(root: string, settings: SettingsStore): EngineDefaults {
  return new EngineDefaults(join(root, 'engine-defaults.json'), {
    get: () => settings.get().engines.defaultEngine,
    set: (engine) => void settings.update({ engines: { defaultEngine: engine } }),
  });
}
/** A log write failure keeps health `degraded` this long (a later successful write is not observed). */
const LOG_FAILURE_RECENT_MS = 60_000;

export class Core {
  readonly layout: DataLayout;
  readonly events = new Listeners<CoreEvent>();
  readonly hardware = new HardwareService();
  readonly settings: SettingsStore;
  readonly keys: KeyStore;
  readonly supervisor: Supervisor;
  readonly library: ModelLibrary;
  readonly pulls: PullManager;
  readonly engines: EngineService;
  readonly engineDefaults: EngineDefaults;
  readonly upgrades: EngineUpgrades;
  readonly auth: AdminAuth;
  /** The one owner of how each model runs here, and of its engine. */
  readonly deployments: Deployments;
  readonly router: DeploymentRouter;
  /** Remote OpenAI-compatible servers served beside the deployments (health, circuit, failover). */
  readonly upstreams: Upstreams;
  /** What the gateway routes by: upstreams first, then the deployments. */
  readonly gatewayRouter: GatewayRouter;
  /** Engine versions and devices, asked once per binary. */
  readonly engineFacts = new EngineFacts(() => this.hardware.snapshot());
  readonly admission: Admission;
  readonly requests = new RequestRegistry();
  readonly activity: ActivityLog;
  readonly metrics: GatewayMetrics;
  /** Request metadata, availability and supervisor events for the operations report (SQLite). */
  readonly store: OpsStore;
  private readonly recorder: AvailabilityRecorder;
  /** Outage and error-budget alerts: stored, notified (event), sent to the webhook. */
  readonly alerts: Alerts;
  private readonly burnRate: BurnRateMonitor;
  /** RPC workers (other machines) the planner may split models over. */
  readonly workers: WorkerRegistry;
  /** Engine pids left running by a killed previous run and reaped by `listen()`. */
  reapedOrphans: number[] = [];
  private server: Server | null = null;
  private gateway: Gateway | null = null;
  private baseUrl = '';
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly opts: CoreOptions) {
    this.layout = dataLayout(opts.dataDir);
    for (const dir of [this.layout.root, this.layout.engines, this.layout.models, this.layout.run, this.layout.logs]) mkdirSync(dir, { recursive: true });
    this.settings = new SettingsStore(this.layout.settings);
    this.store = new OpsStore(join(this.layout.root, 'ops.sqlite'));
    this.store.onProblem = (line) => process.stderr.write(`llama-orch: ${line}\n`);
    this.recorder = new AvailabilityRecorder(this.store);
    this.alerts = new Alerts({
      store: this.store,
      emit: (e) => this.events.emit(e),
      webhookUrl: () => this.settings.get().reports.webhookUrl,
      log: (line) => process.stderr.write(`llama-orch: ${line}\n`),
    });
    this.recorder.onAlert = (a) => this.alerts.raise(a);
    this.burnRate = new BurnRateMonitor({ targetPercent: (d) => sloOf(sloFrom(this.settings.get().reports), d).errorRatePercent, raise: (a) => this.alerts.raise(a) });
    this.events.subscribe((e) => this.recorder.onEvent(e));
    this.keys = new KeyStore(join(this.layout.root, 'keys.json'));
    this.workers = new WorkerRegistry(join(this.layout.root, 'workers.json'));
    const { livenessIntervalSeconds, livenessMisses } = this.settings.get().engines;
    const policy = { livenessIntervalMs: livenessIntervalSeconds * 1000, livenessMisses, ...opts.policy };
    this.supervisor = new Supervisor({
      runDir: this.layout.run,
      logsDir: join(this.layout.logs, 'engines'),
      events: this.events,
      traceLogs: () => this.settings.get().engines.traceLogs,
      logContent: () => this.settings.get().privacy.logContent,
      cacheRamMiB: () => this.settings.get().engines.cacheRamMiB,
      policy,
    });
    this.library = new ModelLibrary({ modelsDir: this.settings.get().models.folder ?? this.layout.models, isLoaded: (id) => modelInUse(this.supervisor.list(), this.library.get(id)) });
    this.pulls = new PullManager({ library: this.library, downloadsDir: this.layout.downloads, events: this.events, hub: () => hubConfig(this.settings.get().hub, process.env, this.offline) });
    this.engineDefaults = engineDefaultsFor(this.layout.root, this.settings);
    this.engines = new EngineService({
      enginesDir: this.layout.engines,
      downloadsDir: this.layout.downloads,
      runDir: this.layout.run,
      events: this.events,
      settings: () => this.settings.get().engines,
      offline: () => this.offline,
      machine: () => this.hardware.snapshot(),
      inUse: (bin) => this.supervisor.usersOf(bin),
      defaults: this.engineDefaults,
    });
    this.adoptNewestEngine();
    this.auth = new AdminAuth(opts.adminToken);
    this.deployments = new Deployments({
      store: new DeploymentStore(join(this.layout.root, 'deployments.json')),
      effects: {
        place: (path, overrides, running) => planLoad(path, overrides, running, this.planSources()),
        // A pinned engine, else the default engine setting; without one, `--engine` or the newest installed.
        engineBinary: (engine) => {
          const chosen = engine ?? this.settings.get().engines.defaultEngine;
          return chosen ? this.engines.resolveBinary(chosen) : resolveEngine(this.layout.engines, opts.enginePath);
        },
        createInstance: (spec) => this.supervisor.create(spec),
        removeInstance: async (id) => void (await this.supervisor.remove(id)),
        running: (except) => this.deployments.runningPlacements(except),
        evict: async (ids, forName, reason) => {
          this.activity.audit('instance.evict', 'placement', ids.join(','), { forModel: forName, reason });
          for (const id of ids) this.recorder.evicted(id, `evicted to make room for ${forName}: ${reason}`);
          for (const id of ids) await this.deployments.unload(id);
        },
        now: () => Date.now(),
        loadDeadlineMs: (path) => loadDeadlineFor(path, opts.policy?.readyTimeoutMs ?? DEFAULT_POLICY.readyTimeoutMs),
        retireInstance: (id) => this.supervisor.retire(id),
        restoreInstance: (key, id) => this.supervisor.restore(key, id),
        drainInstance: (key) => this.supervisor.drainAndRemove(key),
      },
      // Every library model is addressable by id or alias and loads on first use with defaults.
      library: {
        resolve: (idOrAlias) => {
          const m = this.library.resolve(idOrAlias);
          return m?.files[0] ? { id: m.id, path: m.files[0].path, sha256: m.files[0].sha256, mmproj: m.mmproj?.path ?? null } : null;
        },
        ids: () => this.library.list().map((m) => m.id),
      },
      pinned: () => this.settings.get().models.pinned,
      busy: (name) => this.admission.running(name) > 0,
      hashFile: sha256File,
    });
    this.router = new DeploymentRouter(
      this.deployments,
      this.engineFacts,
      () => this.settings.get().gateway.loadTimeoutSeconds * 1000,
      (bin) => {
        // Clients see an installed engine's id, never a path on this machine.
        const label = this.engineLabel(bin);
        return label === bin ? basename(bin) : label;
      },
    );
    this.upstreams = new Upstreams({
      store: new UpstreamStore(join(this.layout.root, 'upstreams.json')),
      box: new SecretBox(join(this.layout.root, 'secret.key')),
      isLocalName: (name) => {
        try {
          return this.deployments.find(name) !== undefined;
        } catch {
          return false;
        }
      },
      audit: (action, actor, target, detail) => this.activity.audit(action, actor, target, detail),
    });
    this.gatewayRouter = new GatewayRouter(this.router, this.upstreams);
    this.upgrades = this.buildUpgrades();
    this.admission = new Admission(() => this.settings.get().gateway.queueDepth);
    this.activity = new ActivityLog(this.layout.logs, () => this.settings.get().privacy.requestLogRetentionDays);
    this.metrics = new GatewayMetrics({
      instances: () => this.supervisor.list(),
      queueDepth: (m) => this.admission.queued(m),
      engineKey: (id) => this.supervisor.get(id)?.apiKey ?? null,
      collectExtra: async (registry) => {
        collectAvailability(registry, new Map([...this.recorder.available(), ...this.upstreams.availability()]));
        await collectDeviceMetrics(registry, this.hardware, this.deployments);
      },
    });
    this.activity.onWriteFailure = () => this.metrics.logWriteFailures.inc();
  }

  /** Offline mode: no connection beyond this machine (hub, engine downloads; the desktop shell skips updates). */
  get offline(): boolean {
    return this.opts.offline === true || this.settings.get().network.offline;
  }

  get host(): string {
    return this.opts.host ?? this.settings.get().api.host;
  }

  /** Reap orphans from a killed previous run, then listen. */
  async listen(): Promise<string> {
    const host = this.host;
    // Loopback or not is decided on what the name resolves to, and the server binds exactly that.
    const bind = await resolveBind(host);
    const access = new AccessPolicy(
      { bindHost: host, loopback: bind.loopback, corsOrigins: () => this.settings.get().api.corsOrigins, allowedHosts: () => this.settings.get().api.allowedHosts },
      this.auth,
      this.keys,
    );
    access.assertBindAllowed();
    await restrictDataDir(this.layout.root); // Windows, outside the profile: keys and tokens for this user only
    this.reapedOrphans = await this.supervisor.reapOrphans();
    const gateway = (this.gateway = new Gateway({
      router: this.gatewayRouter,
      access,
      admission: this.admission,
      policy: new KeyPolicy(this.keys),
      requests: this.requests,
      metrics: this.metrics,
      log: this.activity,
      store: {
        recordRequest: (r) => {
          this.store.recordRequest(r);
          this.burnRate.record(r);
        },
      },
      limits: () => ({ ...this.settings.get().gateway, logContent: this.settings.get().privacy.logContent }),
    }));
    const extraRoutes: RouteHandler[] = [
      gatewayAdminRoutes({ keys: this.keys, settings: this.settings, requests: this.requests }),
      // Admin routes of the other modules (hardware, engines, models, plans): one line each.
      hardwareRoutes(this.hardware, () => this.remoteDevices()),
      workerRoutes(this.workers),
      planRoutes(this.planSources()),
      modelRoutes({ library: this.library, pulls: this.pulls, hub: () => hubConfig(this.settings.get().hub, process.env, this.offline) }),
      engineUpgradeRoutes(this.upgrades),
      engineRoutes(this.engines, { commandLineEngine: Boolean(this.opts.enginePath) }),
      instanceRoutes({ supervisor: this.supervisor }),
      deploymentRoutes(this.deployments),
      upstreamRoutes(this.upstreams),
      reportRoutes({ store: this.store, slo: () => sloFrom(this.settings.get().reports), cost: () => this.settings.get().reports }),
      kitRoutes({ sources: this.kitSources(), targets: this.kitTargets(), events: this.events }),
      catalogRoutes({ hardware: () => this.hardware.snapshot(), settings: () => this.planSources().settings?.() ?? {} }),
      diagnosticsRoutes(
        {
          appVersion: appVersion(),
          logsDir: this.layout.logs,
          hardware: () => this.hardware.snapshot(),
          engines: () => this.engines.list(),
          deployments: async () => this.deployments.views(),
          settings: () => this.settings.get(),
          metrics: () => this.metrics.render(),
          upstreams: () => this.upstreams.list(),
          workers: () => this.workers.views(),
        },
        () => [this.settings.get().hub.token, this.auth.adminToken, ...this.supervisor.list().map((i) => this.supervisor.get(i.id)?.apiKey), ...this.upstreams.secrets()],
      ),
    ];
    const server = createApiServer({
      router: this.gatewayRouter,
      gateway,
      access,
      auth: this.auth,
      metrics: this.metrics,
      requests: this.requests,
      supervisor: this.supervisor,
      events: this.events,
      rendererDir: this.opts.rendererDir ?? defaultRendererDir(),
      version: appVersion(),
      status: () => this.status(),
      unload: (id) => (this.supervisor.get(id) ? this.deployments.unload(id) : Promise.resolve(false)),
      extraRoutes,
      audit: (action, actor, detail) => this.activity.audit(action, actor, undefined, detail),
      problems: () => this.problems(),
    });
    const wanted = this.opts.port ?? this.settings.get().api.port;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(listenError(err, host, wanted)));
      server.listen(wanted, bind.address, () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const a = bind.address;
    this.baseUrl = `http://${a === '0.0.0.0' ? '127.0.0.1' : a === '::' ? '[::1]' : a.includes(':') ? `[${a}]` : a}:${port}`;
    this.startTimers();
    this.upstreams.start();
    this.loadPinned();
    writeControlFile(this.layout.run, { url: this.baseUrl, pid: process.pid, adminToken: this.auth.adminToken });
    return this.baseUrl;
  }

  /**
   * A data dir from before the default engine was a setting ran the newest engine folder: that one
   * becomes the default, so a later import never silently replaces it. `--engine` keeps it unset.
   */
  private adoptNewestEngine(): void {
    if (this.opts.enginePath || this.engineDefaults.current !== null) return;
    const newest = installedEngineBinaries(this.layout.engines)[0];
    if (newest) this.engineDefaults.set(newest.id, { actor: 'llama-orch (engine in use before the default was a setting)' });
  }

  /** How receipts and reports name an engine: its id when installed here, else the binary's path. */
  engineLabel(binary: string): string {
    const root = this.layout.engines + sep;
    return binary.startsWith(root) ? binary.slice(root.length).split(/[\\/]/)[0]! : binary;
  }

  private buildUpgrades(): EngineUpgrades {
    return new EngineUpgrades(this.engineDefaults, new CheckReports(join(this.layout.root, 'engine-checks')), {
      createInstance: (spec) => this.supervisor.create(spec),
      removeInstance: async (id) => void (await this.supervisor.remove(id)),
      now: () => Date.now(),
      resolveBinary: (id) => this.engines.resolveBinary(id),
      installedIds: () => installedEngineBinaries(this.layout.engines).map((e) => e.id),
      currentLabel: () => this.engineLabel(this.engineDefaults.current ? this.engines.resolveBinary(this.engineDefaults.current) : resolveEngine(this.layout.engines, this.opts.enginePath)),
      subjects: (names) => this.checkSubjects(names),
      rollingRestart: () => this.deployments.rollingRestart(),
      pinDeployments: (names, engine) => this.deployments.pinEngine(names, engine),
      holdUnchecked: (passed, engine) => this.deployments.holdUnchecked(passed, engine),
      audit: (action, actor, target, detail) => this.activity.audit(action, actor, target, detail),
    });
  }

  /** The saved deployments a staging check runs on; each one's live engine is started if it was not. */
  private checkSubjects(names: string[] | 'all'): CheckSubject[] {
    const saved = this.deployments.views().filter((d) => d.saved);
    const unknown = names === 'all' ? [] : names.filter((n) => !saved.some((d) => d.name === n));
    if (unknown.length > 0) throw new EngineError('not_found', `no saved deployment named ${unknown.map((n) => `'${n}'`).join(', ')}; saved: ${saved.map((d) => d.name).join(', ') || 'none'}`);
    const chosen = names === 'all' ? saved : saved.filter((d) => names.includes(d.name));
    return chosen.map((d) => ({
      name: d.name,
      role: d.role,
      current: async () => {
        const inst = await this.deployments.find(d.name).ensureReady();
        return this.supervisor.get(inst.spec.id)!;
      },
      // A second copy must fit beside every engine running now, this one included.
      fitsBeside: async () => {
        if (!d.modelPath) return true;
        const r = await planLoad(d.modelPath, d.overrides, this.deployments.runningPlacements(), this.planSources()).catch(() => null);
        return r === null || r.plan !== null;
      },
      stopCurrent: async () => void (await this.deployments.unload(d.name)),
    }));
  }

  /** Deployments marked "keep loaded" start with the core (in the background: the API is up first). */
  private loadPinned(): void {
    for (const d of this.deployments.views()) {
      if (!d.saved || !d.pinned) continue;
      this.activity.audit('instance.load', 'keep-loaded', d.name);
      this.deployments
        .find(d.name)
        .ensureReady()
        .catch((err: Error) => this.activity.audit('instance.load_failed', 'keep-loaded', d.name, { reason: err.message }));
    }
  }

  /** What an offline kit is exported from, and imported into (the CLI's `kit` and the admin API). */
  kitSources(): KitSources {
    return { library: this.library, engines: this.engines, deployments: () => this.deployments.views().filter((d) => d.saved), settings: () => this.settings.get(), appVersion: appVersion() };
  }

  kitTargets(): KitTargets {
    return {
      library: this.library,
      engines: this.engines,
      deployments: this.deployments,
      downloadsDir: this.layout.downloads,
      defaultEngine: () => this.settings.get().engines.defaultEngine,
      setDefaultEngine: (id) => void this.settings.update({ engines: { defaultEngine: id } }),
    };
  }

  /** What the planner reads: hardware, the engine's devices, the library, instances placed, settings. */
  planSources(): PlanSources {
    const MiB = 1024 * 1024;
    return {
      ...corePlanSources({ hardware: this.hardware, engineFacts: this.engineFacts, library: this.library, enginePath: () => resolveEngine(this.layout.engines, this.opts.enginePath) }),
      running: () => this.deployments.runningPlacements(),
      remote: () => this.remoteDevices(),
      live: async () => ({ gpus: (await this.hardware.live().catch(() => null))?.gpus ?? null, availableRamBytes: freemem() }),
      settings: () => {
        const p = this.settings.get().placement;
        return {
          gpuMarginBytes: p.safetyMarginMiB * MiB,
          promptCacheBytes: this.settings.get().engines.cacheRamMiB * MiB,
          defaultContextSize: p.defaultContextSize,
          minContextSize: Math.min(2048, p.defaultContextSize),
          defaultParallel: p.defaultParallel,
        };
      },
    };
  }

  /** The registered workers' devices, each worker asked now (no workers: no request). */
  async remoteDevices(): Promise<RemoteDevice[]> {
    if (this.workers.list().length === 0) return [];
    return this.workers.remoteDevices(await this.workers.check());
  }

  /** What needs attention while the core keeps serving (health `degraded`, the UI banner). */
  problems(): string[] {
    const out: string[] = [];
    const log = this.activity.health();
    if (log.lastFailureAt && Date.now() - Date.parse(log.lastFailureAt) < LOG_FAILURE_RECENT_MS) {
      out.push(`the request log could not be written (${log.failures} failed writes, last: ${log.lastError}); requests are served but not recorded — free disk space in ${this.layout.logs}`);
    }
    const store = this.store.health().problem;
    if (store) out.push(store);
    out.push(...this.workers.problems);
    return out;
  }

  get url(): string {
    return this.baseUrl;
  }

  status(): StatusResponse {
    return { version: appVersion(), dataDir: this.layout.root, apiBaseUrl: `${this.baseUrl}${API_PREFIXES.openai}`, instances: this.supervisor.list() };
  }

  /**
   * Stop every engine, then the server. Safe to call twice. Each step runs whatever the others do:
   * a full disk failing the key-usage flush must never leave engines running.
   */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.upstreams.stop();
    await this.step('save key usage', () => this.keys.flushUsage());
    await this.step('cancel downloads', () => this.pulls.cancelAll());
    await this.step('stop engines', () => this.supervisor.stopAll());
    await this.step('close the API server', async () => {
      const server = this.server;
      this.server = null;
      if (server) {
        removeControlFile(this.layout.run);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      this.gateway?.close();
    });
    await this.step('close the request log', () => this.activity.close());
    this.burnRate.close();
    await this.step('close the operations store', () => this.store.close());
  }

  /** One shutdown step: its failure is reported and does not stop the steps after it. */
  private async step(what: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`llama-orch: shutdown: could not ${what}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }

  private startTimers(): void {
    const sweep = setInterval(() => {
      const s = this.settings.get();
      for (const d of this.deployments.idle(s.gateway.idleTtlSeconds * 1000, Date.now())) {
        this.activity.audit('instance.unload', 'idle-timer', d.name);
        void d.unload();
      }
    }, this.opts.idleSweepMs ?? IDLE_SWEEP_MS);
    const housekeeping = setInterval(() => {
      void this.step('save key usage', () => this.keys.flushUsage());
      void this.activity.prune().catch(() => undefined);
      this.store.rollup(this.settings.get().privacy.requestLogRetentionDays);
    }, 60_000);
    const workers = setInterval(() => void this.watchWorkers(), WORKER_WATCH_MS);
    workers.unref();
    this.timers.push(workers);
    const cpu = new CpuUtilisation();
    cpu.sample();
    const sampling = setInterval(() => void this.sampleHardware(cpu), HARDWARE_SAMPLE_MS);
    for (const t of [sweep, housekeeping, sampling]) t.unref();
    this.timers.push(sweep, housekeeping, sampling);
  }

  private readonly workerMisses = new Map<string, number>();
  private watchingWorkers = false;

  /**
   * A worker that stops answering (powered off, cable pulled) may leave no TCP reset behind: the
   * engine using it would wait on its RPC socket for good while its own /health still answers. So
   * the workers of running split engines are checked here, and an engine whose worker missed
   * WORKER_MISSES checks in a row is stopped: its streams end with an error event and the next
   * request plans the deployment again without that worker.
   */
  private async watchWorkers(): Promise<void> {
    const using = this.deployments.onWorkers();
    if (using.length === 0 || this.watchingWorkers) return;
    this.watchingWorkers = true;
    try {
      for (const w of await this.workers.check()) this.workerMisses.set(w.address, w.health === 'online' ? 0 : (this.workerMisses.get(w.address) ?? 0) + 1);
      for (const d of using) {
        const lost = d.workers.find((w) => (this.workerMisses.get(w) ?? 0) >= WORKER_MISSES);
        if (!lost) continue;
        const reason = this.workers.views().find((v) => v.address === lost)?.reason ?? 'offline';
        this.activity.audit('instance.unload', 'worker-watch', d.name, { worker: lost, reason });
        await this.deployments.unload(d.name).catch(() => undefined);
      }
    } finally {
      this.watchingWorkers = false;
    }
  }

  /** One hardware sample for the energy figures (GPUs only when the machine has any). */
  private async sampleHardware(cpu: CpuUtilisation): Promise<void> {
    const gpus = (await this.hardware.snapshot().catch(() => null))?.gpus.length ?? 0;
    const live = gpus > 0 ? await this.hardware.live().catch(() => null) : null;
    for (const row of hardwareRows(Date.now(), cpu.sample(), live)) this.store.recordHardware(row);
  }
}
