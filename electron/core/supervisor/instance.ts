// One supervised engine process serving one model. The instance owns its state machine
// (starting → ready → stopping → stopped, or failed with a reason); callers ask `ensureReady()` and
// `stop()` and never gate a mutation on a state they read themselves. See DESIGN.md.
import { randomBytes } from 'node:crypto';
import type { EngineFacts, InstanceInfo, InstancePlacement, InstanceState, LogLine } from '../../contract/index.js';
import { RingBuffer } from '../util/ring-buffer.js';
import { Listeners } from '../util/emitter.js';
import { isResourceError } from '../util/atomic-write.js';
import { hasLogPrefix, redactEngineLine } from '../util/redact.js';
import { applyLogLine, emptyFacts, stripLogPrefix } from './facts.js';
import type { EngineEffects, EngineProcess, ExitInfo } from './process.js';

export interface LaunchSpec {
  id: string;
  modelId: string;
  modelPath: string;
  enginePath: string;
  /** Engine arguments from the plan, without host/port/api-key (the instance adds those). */
  args: string[];
  env?: Record<string, string>;
  placement?: InstancePlacement | null;
  /** How long this engine may take to become ready (a big model on a slow disk); default: the policy's. */
  readyTimeoutMs?: number;
  /** Address the engine binds; default 127.0.0.1 (an RPC worker binds the LAN address the user named). */
  host?: string;
}

export interface InstancePolicy {
  /** How long an engine may take from spawn to a healthy /health. */
  readyTimeoutMs: number;
  /** SIGTERM, then this long, then SIGKILL to the process group. */
  stopGraceMs: number;
  /** More than `maxCrashes` unexpected exits within `crashWindowMs` → failed, no more restarts. */
  maxCrashes: number;
  crashWindowMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  logCapacity: number;
  /** Probe /health of a ready engine this often; 0 = no liveness probes. */
  livenessIntervalMs: number;
  /** This many probes in a row without an answer (each waits `livenessTimeoutMs`) → hung: killed and restarted. */
  livenessMisses: number;
  livenessTimeoutMs: number;
  /** While an engine is loading, a line from it within this long keeps the ready deadline from firing. */
  loadProgressGraceMs: number;
}

export const DEFAULT_POLICY: InstancePolicy = {
  readyTimeoutMs: 120_000,
  stopGraceMs: 5_000,
  maxCrashes: 3,
  crashWindowMs: 60_000,
  backoffBaseMs: 250,
  backoffMaxMs: 30_000,
  logCapacity: 10_000,
  livenessIntervalMs: 0,
  livenessMisses: 3,
  livenessTimeoutMs: 2_000,
  loadProgressGraceMs: 30_000,
};

export interface InstanceHooks {
  /** Called on every state change (for events, pidfiles, metrics). */
  onState?: (info: InstanceInfo) => void;
  /** The ready engine stopped answering /health and is being killed (it restarts like after a crash). */
  onHung?: (info: InstanceInfo, reason: string, sinceMs: number) => void;
  onLog?: (line: LogLine) => void;
  onSpawn?: (pid: number, info: InstanceInfo) => void;
  onExit?: (pid: number, exit: ExitInfo) => void;
  allocatePort: () => Promise<number>;
  /** Arguments the supervisor adds for every launch (e.g. the log verbosity that prints memory facts). */
  launchArgs?: () => Promise<string[]>;
  /**
   * How the engine gets its API key. The supervisor writes it to a 0600 file (`--api-key-file`) so it
   * never shows in the process list; without this hook it is passed as `--api-key`.
   */
  keyArgs?: (key: string) => string[];
  /** Whether engine lines are kept whole (`privacy.logContent`); otherwise they are redacted first. */
  keepContent?: () => boolean;
}

class StartFailed extends Error {}

export class EngineInstance {
  private state: InstanceState = 'stopped';
  private reason: string | null = null;
  private proc: EngineProcess | null = null;
  private port: number | null = null;
  private restarts = 0;
  private hangs = 0;
  /** Why the current process is being killed by the liveness probe (its exit is then no plain crash). */
  private hungReason: string | null = null;
  /** When the engine last printed a line (load progress keeps the ready deadline at bay). */
  private lastEngineLineAt = 0;
  private crashTimes: number[] = [];
  private startedAt: string | null = null;
  private readyAt: string | null = null;
  private readyPromise: Promise<void> | null = null;
  private stopPromise: Promise<void> | null = null;
  private wantRunning = false;
  private seq = 0;
  /** `seq` of the last line before the current process was spawned: its own lines come after. */
  private attemptSeq = 0;
  private engineFacts: EngineFacts = emptyFacts();
  /** The engine prefixes its lines with a time and level: its bare lines are raw prints (content). */
  private prefixedLogs = false;
  /** Set while start-up waits between health polls: a readiness line from the engine polls at once. */
  private wakeHealth: (() => void) | null = null;
  private readonly logs: RingBuffer<LogLine>;
  private readonly logListeners = new Listeners<LogLine>();
  /** Engines listen on loopback only, with a random key per instance. */
  readonly apiKey = randomBytes(24).toString('hex');

  constructor(
    readonly spec: LaunchSpec,
    private readonly effects: EngineEffects,
    private readonly hooks: InstanceHooks,
    private readonly policy: InstancePolicy = DEFAULT_POLICY,
  ) {
    this.logs = new RingBuffer(policy.logCapacity);
  }

  get id(): string {
    return this.spec.id;
  }

  info(): InstanceInfo {
    return {
      id: this.spec.id,
      modelId: this.spec.modelId,
      modelPath: this.spec.modelPath,
      enginePath: this.spec.enginePath,
      state: this.state,
      reason: this.reason,
      pid: this.proc && this.proc.pid > 0 ? this.proc.pid : null,
      port: this.port,
      restarts: this.restarts,
      hangs: this.hangs,
      startedAt: this.startedAt,
      readyAt: this.readyAt,
      argv: [...this.spec.args],
      placement: this.spec.placement ?? null,
    };
  }

  /** The engine's base URL when ready; callers use it right after ensureReady(). */
  baseUrl(): string | null {
    return this.state === 'ready' && this.port ? `http://127.0.0.1:${this.port}` : null;
  }

  /**
   * Requests the engine is working on now (its /slots), or null when it does not say (not ready, or
   * slots disabled). The rolling restart waits for 0 before stopping a replaced engine.
   */
  async busySlots(): Promise<number | null> {
    const url = this.baseUrl();
    if (!url) return null;
    try {
      const res = await fetch(`${url}/slots`, { headers: { authorization: `Bearer ${this.apiKey}` }, signal: AbortSignal.timeout(5000) });
      if (!res.ok) return null;
      const slots = (await res.json()) as { is_processing?: boolean }[];
      return Array.isArray(slots) ? slots.filter((x) => x.is_processing).length : null;
    } catch {
      return null;
    }
  }

  tailLogs(n?: number): LogLine[] {
    return this.logs.tail(n);
  }

  onLog(fn: (line: LogLine) => void): () => void {
    return this.logListeners.subscribe(fn);
  }

  /** What the engine said about itself since its last (re)start: buffers, slots, token rates. */
  facts(): EngineFacts {
    return structuredClone(this.engineFacts);
  }

  /** Start if stopped, wait if starting, return at once if ready; throws with the reason if failed. */
  ensureReady(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'failed') return Promise.reject(new Error(this.reason ?? 'engine failed'));
    if (this.stopPromise) return this.stopPromise.then(() => this.ensureReady());
    if (!this.readyPromise) {
      this.wantRunning = true;
      this.crashTimes = [];
      this.readyPromise = this.runStartLoop().finally(() => {
        this.readyPromise = null;
      });
    }
    return this.readyPromise;
  }

  /** Stop gracefully: SIGTERM, wait, then SIGKILL the process group. Idempotent. */
  stop(): Promise<void> {
    this.wantRunning = false;
    if (this.stopPromise) return this.stopPromise;
    const proc = this.proc;
    if (!proc) {
      if (this.state !== 'failed') this.setState('stopped');
      return Promise.resolve();
    }
    this.setState('stopping');
    this.stopPromise = (async () => {
      proc.signalGroup('SIGTERM');
      const graceful = await Promise.race([proc.exited.then(() => true), this.effects.sleep(this.policy.stopGraceMs).then(() => false)]);
      if (!graceful) {
        this.log('supervisor', 'warn', `engine did not exit within ${this.policy.stopGraceMs} ms of SIGTERM; killing its process group`);
        proc.signalGroup('SIGKILL');
        await proc.exited;
      }
      this.proc = null;
      this.port = null;
      this.setState('stopped');
    })().finally(() => {
      this.stopPromise = null;
    });
    return this.stopPromise;
  }

  /**
   * Start, and on an early failure retry with backoff until the crash budget is spent. A failure for
   * lack of resources (a full disk, no file handles) is not the engine's fault and goes away when
   * the resource is back: it is retried with backoff for as long as the instance is wanted, and
   * never counts towards `failed`.
   */
  private async runStartLoop(): Promise<void> {
    let waits = 0;
    for (;;) {
      try {
        await this.startOnce();
        return;
      } catch (err) {
        if (!this.wantRunning) throw new Error('instance was stopped while starting');
        const reason = err instanceof Error ? err.message : String(err);
        let delay: number;
        if (isResourceError(err)) {
          this.reason = `waiting for resources: ${reason}`;
          this.log('supervisor', 'warn', `could not start the engine (${reason}); retrying`);
          delay = Math.min(this.policy.backoffMaxMs, this.policy.backoffBaseMs * 2 ** Math.min(waits++, 16));
        } else {
          if (!this.recordCrash(reason)) throw new Error(this.reason ?? reason);
          delay = this.backoffMs();
        }
        await this.effects.sleep(delay);
        if (!this.wantRunning) throw new Error('instance was stopped while starting');
        this.restarts++;
      }
    }
  }

  private async startOnce(): Promise<void> {
    this.reason = null;
    this.readyAt = null;
    this.setState('starting');
    const port = await this.hooks.allocatePort();
    const launchArgs = (await this.hooks.launchArgs?.()) ?? [];
    // stop() may have run while the port was found: spawning now would leave an unowned engine.
    if (!this.wantRunning) throw new StartFailed('instance was stopped while starting');
    this.port = port;
    this.startedAt = new Date(this.effects.now()).toISOString();
    const keyArgs = this.hooks.keyArgs?.(this.apiKey) ?? ['--api-key', this.apiKey];
    const host = this.spec.host ?? '127.0.0.1';
    const args = [...this.spec.args, ...launchArgs, '--host', host, '--port', String(port), ...keyArgs];
    this.log('supervisor', 'info', `starting ${this.spec.enginePath} for model ${this.spec.modelId} on ${host}:${port}`);
    this.attemptSeq = this.seq;
    this.engineFacts = emptyFacts();
    const proc = this.effects.spawn({ file: this.spec.enginePath, args, env: { CUDA_DEVICE_ORDER: 'PCI_BUS_ID', ...this.spec.env } }, (stream, text) => this.log(stream, classify(text), text));
    this.proc = proc;
    if (proc.pid > 0) this.hooks.onSpawn?.(proc.pid, this.info());
    let exit: ExitInfo | null = null;
    void proc.exited.then((e) => {
      exit = e;
      if (proc.pid > 0) this.hooks.onExit?.(proc.pid, e);
      this.onProcessExit(proc, e);
    });

    await this.waitHealthy(proc, port, () => exit);
    if (exit) throw new StartFailed(this.exitReason(exit));
    this.readyAt = new Date(this.effects.now()).toISOString();
    this.setState('ready');
    if (this.policy.livenessIntervalMs > 0) void this.watchLiveness(proc, port);
  }

  /**
   * Liveness after ready: probe /health every interval; `livenessMisses` probes in a row without an
   * answer (a hung engine: deadlocked, SIGSTOPped, swapped out) → kill its group. Its exit then
   * ends in-flight streams with an error event and restarts it with backoff, like a crash.
   */
  private async watchLiveness(proc: EngineProcess, port: number): Promise<void> {
    const { livenessIntervalMs: every, livenessMisses: misses, livenessTimeoutMs: timeout } = this.policy;
    const current = () => this.proc === proc && this.state === 'ready';
    let missed = 0;
    let firstMissAt = 0;
    while (current()) {
      await Promise.race([this.effects.sleep(every), proc.exited]);
      if (!current()) return;
      const probedAt = this.effects.now();
      missed = (await this.effects.health(port, timeout)) ? 0 : missed + 1;
      // The engine stopped answering no later than the first probe it missed: the outage starts there.
      if (missed === 1) firstMissAt = probedAt;
      if (!current() || missed < misses) continue;
      const reason = `engine stopped answering /health (${missed} probes ${every} ms apart, each waiting ${timeout} ms); killed as hung`;
      this.hangs++;
      this.hungReason = reason;
      this.log('supervisor', 'error', reason);
      this.hooks.onHung?.(this.info(), reason, firstMissAt);
      proc.signalGroup('SIGKILL');
      return;
    }
  }

  /**
   * Poll /health until 200, the deadline, an exit or a stop. Polls start fast and back off to 100 ms,
   * and the engine's own "model loaded" / "listening" line triggers a check at once.
   */
  private async waitHealthy(proc: EngineProcess, port: number, exited: () => ExitInfo | null): Promise<void> {
    const timeoutMs = this.spec.readyTimeoutMs ?? this.policy.readyTimeoutMs;
    const deadline = this.effects.now() + timeoutMs;
    let delay = 10;
    for (;;) {
      const exit = exited();
      if (exit) throw new StartFailed(this.exitReason(exit));
      if (!this.wantRunning || this.proc !== proc) throw new StartFailed('instance was stopped while starting');
      if (await this.effects.health(port)) return;
      const now = this.effects.now();
      // Past the deadline, an engine still printing load progress gets more time; a silent one does not.
      if (now > deadline && now - this.lastEngineLineAt > this.policy.loadProgressGraceMs) {
        proc.signalGroup('SIGKILL');
        await proc.exited;
        throw new StartFailed(`engine did not become healthy within ${Math.round(timeoutMs / 1000)} s and printed nothing for ${Math.round(this.policy.loadProgressGraceMs / 1000)} s`);
      }
      const woken = new Promise<void>((r) => (this.wakeHealth = r));
      await Promise.race([this.effects.sleep(delay), proc.exited, woken]);
      this.wakeHealth = null;
      delay = Math.min(Math.ceil(delay * 1.5), 100);
    }
  }

  private onProcessExit(proc: EngineProcess, exit: ExitInfo): void {
    if (this.proc !== proc) return;
    if (this.state === 'stopping') return; // stop() handles it
    if (this.state === 'starting') return; // the start loop sees `exit` and retries
    this.proc = null;
    this.port = null;
    if (!this.wantRunning) {
      this.setState('stopped');
      return;
    }
    // Unexpected exit of a ready engine: a crash (or killed as hung). Restart with backoff unless the budget is spent.
    const reason = this.hungReason ?? this.exitReason(exit);
    this.hungReason = null;
    if (!this.recordCrash(reason)) return;
    this.log('supervisor', 'warn', `engine exited unexpectedly (${describeExit(exit)}); restarting`);
    this.setState('starting');
    this.readyPromise = (async () => {
      await this.effects.sleep(this.backoffMs());
      if (!this.wantRunning) return;
      this.restarts++;
      await this.runStartLoop();
    })()
      .catch(() => {
        // The failure is recorded in state/reason; waiters see it through ensureReady().
      })
      .finally(() => {
        this.readyPromise = null;
      });
  }

  /** Records a crash; false (and state failed) when the crash budget is spent. */
  private recordCrash(reason: string): boolean {
    const now = this.effects.now();
    this.crashTimes = this.crashTimes.filter((t) => now - t < this.policy.crashWindowMs);
    this.crashTimes.push(now);
    if (this.crashTimes.length > this.policy.maxCrashes) {
      this.wantRunning = false;
      this.reason = reason;
      this.log('supervisor', 'error', `giving up after ${this.crashTimes.length} failures in ${Math.round(this.policy.crashWindowMs / 1000)} s: ${reason}`);
      this.setState('failed');
      return false;
    }
    this.reason = reason;
    return true;
  }

  private backoffMs(): number {
    const n = Math.max(0, this.crashTimes.length - 1);
    return Math.min(this.policy.backoffMaxMs, this.policy.backoffBaseMs * 2 ** n);
  }

  /** The engine's own words: the first error line of this attempt (the cause; later ones are consequences). */
  private exitReason(exit: ExitInfo): string {
    const own = this.logs.tail(500).filter((l) => l.stream !== 'supervisor' && l.seq > this.attemptSeq);
    const line = own.find((l) => l.level === 'error') ?? own.at(-1);
    return `engine exited (${describeExit(exit)})${line ? `: ${stripLogPrefix(line.text)}` : ''}`;
  }

  private setState(state: InstanceState): void {
    if (this.state === state) return;
    this.state = state;
    this.hooks.onState?.(this.info());
  }

  private log(stream: LogLine['stream'], level: LogLine['level'], raw: string): void {
    const time = new Date(this.effects.now()).toISOString();
    let text = raw;
    if (stream !== 'supervisor') {
      this.lastEngineLineAt = this.effects.now();
      applyLogLine(this.engineFacts, raw, time);
      if (this.wakeHealth && /\b(model loaded|listening on|server is listening)\b/.test(raw)) this.wakeHealth();
      // Engines echo request content in some lines; nothing of it is kept or streamed unless asked.
      // Before the engine is ready it has had no request, and its load errors stay whole.
      if (!this.prefixedLogs && hasLogPrefix(raw)) this.prefixedLogs = true;
      if (this.readyAt !== null && !this.hooks.keepContent?.()) text = redactEngineLine(raw, { bareIsContent: this.prefixedLogs });
    }
    const line: LogLine = { seq: ++this.seq, time, stream, level, text };
    this.logs.push(line);
    this.hooks.onLog?.(line);
    this.logListeners.emit(line);
  }
}

function describeExit(exit: ExitInfo): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? 'unknown'}`;
}

/** llama.cpp prefixes lines with `<time> <I|W|E|D> `; older builds print bare text, matched by words. */
export function classify(text: string): LogLine['level'] {
  const m = /^\s*[\d.]+ ([IWEDT]) /.exec(text);
  if (m) return m[1] === 'E' ? 'error' : m[1] === 'W' ? 'warn' : m[1] === 'I' ? 'info' : 'debug';
  if (/\b(error|failed|fatal|exception|abort|cannot|unable to)\b/i.test(text)) return 'error';
  if (/\bwarn(ing)?\b/i.test(text)) return 'warn';
  return 'info';
}
