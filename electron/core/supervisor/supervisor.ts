// Owns every engine instance: creates them from launch specs, keeps pidfiles, reaps orphans at
// start-up, writes each engine's log to rotating files, publishes state changes, and stops
// everything on shutdown.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreEvent, InstanceInfo } from '../../contract/index.js';
import { engineEnv } from '../engines/self-test.js';
import { Listeners } from '../util/emitter.js';
import { safeFileName } from '../util/file-name.js';
import { freePort } from '../util/net.js';
import { EngineInstance, DEFAULT_POLICY, type InstancePolicy, type LaunchSpec } from './instance.js';
import { cacheRamLaunchArgs, factsLaunchArgs } from './launch-args.js';
import { CORE_STARTED_MS, PidFiles } from './pidfiles.js';
import { realEngineEffects, type EngineEffects } from './process.js';
import { RotatingLog, type RotatingLogOptions } from './rotating-log.js';

export interface SupervisorOptions {
  runDir: string;
  /** Rotating engine log files go here (`<id>.log`); none when absent. */
  logsDir?: string;
  logRotation?: Partial<RotatingLogOptions>;
  effects?: EngineEffects;
  policy?: Partial<InstancePolicy>;
  events?: Listeners<CoreEvent>;
  /** Extra launch arguments per engine binary; default: the log verbosity that prints memory facts where safe. */
  launchArgs?: (enginePath: string, args: string[]) => Promise<string[]>;
  /**
   * Whether engines run at trace verbosity (memory buffer facts, per-slot detail). Off by default:
   * at trace level llama-server prints ~100 lines per request with 32 slots, which costs the
   * gateway measurable throughput and fills the log files.
   */
  traceLogs?: () => boolean;
  /** `privacy.logContent`: keep engine lines whole. Off (default): lines are redacted before they are stored or streamed. */
  logContent?: () => boolean;
  /** The engines' prompt cache in RAM, MiB (`--cache-ram`); default: the engine's own (8 GiB). */
  cacheRamMiB?: () => number;
}

export class Supervisor {
  private readonly instances = new Map<string, EngineInstance>();
  private readonly pidfiles: PidFiles;
  private readonly effects: EngineEffects;
  private readonly policy: InstancePolicy;
  private readonly logFiles = new Map<string, RotatingLog>();
  readonly events: Listeners<CoreEvent>;
  private retired = 0;

  constructor(private readonly opts: SupervisorOptions) {
    this.pidfiles = new PidFiles(opts.runDir);
    this.effects = opts.effects ?? realEngineEffects;
    this.policy = { ...DEFAULT_POLICY, ...opts.policy };
    this.events = opts.events ?? new Listeners<CoreEvent>();
  }

  /** Kill engines a previous, killed core left running. Call once before starting instances. */
  reapOrphans(warn: (message: string) => void = (m) => process.stderr.write(`llama-orch: ${m}\n`)): Promise<number[]> {
    return this.pidfiles.reapOrphans({ warn });
  }

  list(): InstanceInfo[] {
    return [...this.instances.values()].map((i) => i.info());
  }

  get(id: string): EngineInstance | undefined {
    return this.instances.get(id);
  }

  findByModel(modelId: string): EngineInstance | undefined {
    for (const inst of this.instances.values()) if (inst.spec.modelId === modelId) return inst;
    return undefined;
  }

  private keyFile(id: string): string {
    return join(this.opts.runDir, `${safeFileName(id)}.key`);
  }

  /** The engine's key in a file only this user can read, so it never appears in `ps`. */
  private keyFileArgs(id: string, key: string): string[] {
    mkdirSync(this.opts.runDir, { recursive: true });
    writeFileSync(this.keyFile(id), `${key}\n`, { mode: 0o600 });
    return ['--api-key-file', this.keyFile(id)];
  }

  /** Register an instance (not yet started); `ensureReady()` on it starts the engine. */
  create(spec: LaunchSpec): EngineInstance {
    if (this.instances.has(spec.id)) throw new Error(`instance ${spec.id} already exists`);
    const file = this.opts.logsDir ? new RotatingLog(join(this.opts.logsDir, `${safeFileName(spec.id)}.log`), this.opts.logRotation) : null;
    if (file) this.logFiles.set(spec.id, file);
    const trace = this.opts.traceLogs ?? (() => false);
    const cacheRam = this.opts.cacheRamMiB;
    const launchArgs =
      this.opts.launchArgs ??
      (this.opts.effects
        ? undefined
        : async (bin: string, args: string[]) => [...(trace() ? await factsLaunchArgs(bin, args) : []), ...(cacheRam ? await cacheRamLaunchArgs(bin, args, cacheRam()) : [])]);
    const inst = new EngineInstance(
      { ...spec, env: { ...engineEnv(spec.enginePath), ...spec.env } },
      this.effects,
      {
        allocatePort: () => freePort(),
        ...(launchArgs ? { launchArgs: () => launchArgs(spec.enginePath, spec.args) } : {}),
        ...(this.opts.effects ? {} : { keyArgs: (key: string) => this.keyFileArgs(spec.id, key) }),
        ...(file ? { onLog: (l) => file.write(`${l.time} ${l.stream} ${l.level} ${l.text}`) } : {}),
        keepContent: () => this.opts.logContent?.() ?? false,
        onState: (info) => this.events.emit({ type: 'instance.state', instance: info }),
        onHung: (info, reason, sinceMs) => this.events.emit({ type: 'instance.hung', instance: info, reason, since: new Date(sinceMs).toISOString() }),
        onSpawn: (pid) => {
          // The pidfile is the backstop for a killed core; failing to write it (a full disk) must not
          // fail a start whose engine is already running (and would then be left unowned).
          try {
            this.pidfiles.write({
              pid,
              instanceId: spec.id,
              enginePath: spec.enginePath,
              startedAt: new Date().toISOString(),
              corePid: process.pid,
              coreStartedAt: new Date(CORE_STARTED_MS).toISOString(),
            });
          } catch {
            /* the engine still dies with us (parent-death signal) and is stopped by stop() */
          }
        },
        onExit: (pid) => {
          this.pidfiles.removeIfPid(spec.id, pid);
          // A replacement under the same id (rolling restart) owns the key file now.
          if (this.instances.get(spec.id) === inst || !this.instances.has(spec.id)) rmSync(this.keyFile(spec.id), { force: true });
        },
      },
      this.policy,
    );
    this.instances.set(spec.id, inst);
    return inst;
  }

  async remove(id: string): Promise<boolean> {
    const inst = this.instances.get(id);
    if (!inst) return false;
    await inst.stop();
    this.instances.delete(id);
    this.logFiles.get(id)?.close();
    this.logFiles.delete(id);
    this.events.emit({ type: 'instance.removed', id });
    return true;
  }

  /**
   * Take an instance off its id while it keeps serving, so its replacement can start under the id
   * (the rolling restart of an engine switch). Returns the key it is kept under, null when none.
   */
  retire(id: string): string | null {
    const inst = this.instances.get(id);
    if (!inst) return null;
    const key = `${id}~retiring-${++this.retired}`;
    this.instances.delete(id);
    this.instances.set(key, inst);
    const file = this.logFiles.get(id);
    if (file) {
      this.logFiles.delete(id);
      this.logFiles.set(key, file);
    }
    return key;
  }

  /** Put a retired instance back under its id (its replacement failed and was removed). */
  restore(key: string, id: string): void {
    const inst = this.instances.get(key);
    if (!inst || this.instances.has(id)) return;
    this.instances.delete(key);
    this.instances.set(id, inst);
    const file = this.logFiles.get(key);
    if (file) {
      this.logFiles.delete(key);
      this.logFiles.set(id, file);
    }
  }

  /**
   * Stop a retired instance once its engine works on no request (in-flight streams finish), or at
   * the deadline. A short grace first: a request routed just before the switch may not have reached
   * the engine yet.
   */
  async drainAndRemove(key: string, opts: { graceMs?: number; pollMs?: number; deadlineMs?: number } = {}): Promise<void> {
    const inst = this.instances.get(key);
    if (!inst) return;
    const deadline = Date.now() + (opts.deadlineMs ?? 10 * 60_000);
    await new Promise((r) => setTimeout(r, opts.graceMs ?? 500));
    while (Date.now() < deadline) {
      const busy = await inst.busySlots();
      if (busy === 0 || busy === null) break;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
    await this.remove(key);
    // The replaced engine's last state events carried the shared id: say again what serves it now.
    const now = this.instances.get(inst.id);
    if (now) this.events.emit({ type: 'instance.state', instance: now.info() });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.instances.values()].map((i) => i.stop()));
    for (const file of this.logFiles.values()) file.flush();
  }

  /** Ids of instances whose engine is this binary and that are not stopped (an engine in use cannot be removed). */
  usersOf(enginePath: string): string[] {
    return [...this.instances.values()].filter((i) => i.spec.enginePath === enginePath && i.info().state !== 'stopped' && i.info().state !== 'failed').map((i) => i.id);
  }
}
