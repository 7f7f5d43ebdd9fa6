// The one owner of remote upstreams: their saved config (upstreams.json, the key sealed by SecretBox),
// and per upstream its live state — the circuit breaker, the models its /v1/models listed at the last
// health check, the last error. The gateway asks it which upstream a `model` names (resolve), whether
// a request may go (admit) and tells it how each request ended (record). See DESIGN.md.
import type { CircuitState, OpenAiModel, SavedUpstream, UpstreamInput, UpstreamView } from '../../contract/index.js';
import { API_PREFIXES, upstreamInputSchema } from '../../contract/index.js';
import { HttpError } from '../util/errors.js';
import { validate } from '../util/validate.js';
import { CircuitBreaker, type Admit } from './circuit.js';
import { fetchUpstreamModels, type ModelsFetch } from './health.js';
import type { SecretBox } from './secret-box.js';
import type { UpstreamStore } from './store.js';

export const UPSTREAM_DEFAULTS = { timeoutSeconds: 600, maxConcurrent: 8, healthIntervalSeconds: 15, failureThreshold: 3, openSeconds: 30 } as const;
const HEALTH_TIMEOUT_MS = 5_000;
const RECHECK_FILE_MS = 1_000;

export interface UpstreamDeps {
  store: UpstreamStore;
  box: SecretBox;
  /** Whether a local deployment (or library model) answers to this name: aliases may not shadow one. */
  isLocalName: (name: string) => boolean;
  now?: () => number;
  fetch?: ModelsFetch;
  /** Admin actions (add, remove) for the audit log; never the key. */
  audit?: (action: string, actor: string, target: string, detail?: Record<string, unknown>) => void;
}

export interface LiveUpstream {
  config: SavedUpstream;
  /** The key in memory only; null without one. */
  apiKey: string | null;
  breaker: CircuitBreaker;
  models: string[] | null;
  lastCheckAt: number | null;
  lastError: string | null;
  timer: NodeJS.Timeout | null;
}

/** What a request's `model` names on an upstream. */
export interface UpstreamHit {
  up: LiveUpstream;
  /** The model id the upstream is asked for. */
  model: string;
  /** The name the client used (an alias or `<prefix><model>`). */
  exposed: string;
  viaAlias: boolean;
}

export class Upstreams {
  private items = new Map<string, LiveUpstream>();
  problems: string[] = [];
  private mtime = -1;
  private checkedFileAt = 0;
  private running = false;
  private readonly now: () => number;

  constructor(private readonly deps: UpstreamDeps) {
    this.now = deps.now ?? Date.now;
    this.reload();
  }

  /** Start the health checks (the core is listening). */
  start(): void {
    this.running = true;
    for (const up of this.items.values()) this.schedule(up, 0);
  }

  stop(): void {
    this.running = false;
    for (const up of this.items.values()) clearTimeout(up.timer ?? undefined);
  }

  list(): UpstreamView[] {
    this.maybeReload();
    return [...this.items.values()].map((u) => viewOf(u));
  }

  get(name: string): LiveUpstream | undefined {
    this.maybeReload();
    return this.items.get(name);
  }

  add(input: unknown, actor = 'admin'): UpstreamView {
    this.maybeReload();
    const given = validate(upstreamInputSchema, input, 'upstream');
    if (this.items.has(given.name)) throw new HttpError(409, `an upstream named '${given.name}' already exists; remove it first`, 'invalid_request_error', 'upstream_exists', 'name');
    this.checkNames(given);
    const config: SavedUpstream = {
      name: given.name,
      baseUrl: normalizeBaseUrl(given.baseUrl),
      apiKeyEncrypted: given.apiKey ? this.deps.box.seal(given.apiKey) : null,
      prefix: given.prefix === undefined ? `${given.name}/` : given.prefix,
      aliases: given.aliases ?? {},
      fallback: given.fallback ?? null,
      timeoutSeconds: given.timeoutSeconds ?? UPSTREAM_DEFAULTS.timeoutSeconds,
      maxConcurrent: given.maxConcurrent ?? UPSTREAM_DEFAULTS.maxConcurrent,
      healthIntervalSeconds: given.healthIntervalSeconds ?? UPSTREAM_DEFAULTS.healthIntervalSeconds,
      failureThreshold: given.failureThreshold ?? UPSTREAM_DEFAULTS.failureThreshold,
      openSeconds: given.openSeconds ?? UPSTREAM_DEFAULTS.openSeconds,
      createdAt: new Date(this.now()).toISOString(),
    };
    if (config.prefix === null && Object.keys(config.aliases).length === 0)
      throw new HttpError(400, 'invalid upstream: with `prefix` null, name at least one model in `aliases`, or nothing is listed', 'invalid_request_error', 'invalid_value', 'prefix');
    this.deps.store.save([...[...this.items.values()].map((u) => u.config), config]);
    this.mtime = this.deps.store.mtimeMs();
    const live = this.live(config);
    this.items.set(config.name, live);
    if (this.running) this.schedule(live, 0);
    this.deps.audit?.('upstream.add', actor, config.name, {
      baseUrl: config.baseUrl,
      key: config.apiKeyEncrypted ? 'set' : 'none',
      prefix: config.prefix,
      aliases: Object.keys(config.aliases),
      fallback: config.fallback,
    });
    return viewOf(live);
  }

  remove(name: string, actor = 'admin'): boolean {
    this.maybeReload();
    const up = this.items.get(name);
    if (!up) return false;
    this.deps.store.save([...this.items.values()].filter((u) => u !== up).map((u) => u.config));
    this.mtime = this.deps.store.mtimeMs();
    clearTimeout(up.timer ?? undefined);
    this.items.delete(name);
    this.deps.audit?.('upstream.remove', actor, name);
    return true;
  }

  /** The upstream a request's `model` names (alias first, then prefix), or null: a local model. */
  resolve(model: string): UpstreamHit | null {
    this.maybeReload();
    if (this.items.size === 0) return null;
    const key = model.toLowerCase();
    for (const up of this.items.values()) {
      for (const [alias, target] of Object.entries(up.config.aliases)) if (alias.toLowerCase() === key) return { up, model: target, exposed: alias, viaAlias: true };
    }
    for (const up of this.items.values()) {
      const p = up.config.prefix;
      if (p === null || !model.startsWith(p) || model.length === p.length) continue;
      const rest = model.slice(p.length);
      if (up.models && !up.models.includes(rest)) {
        throw new HttpError(
          404,
          `model '${model}' not found on upstream '${up.config.name}'; it lists: ${up.models.map((m) => p + m).join(', ') || 'nothing'}`,
          'not_found_error',
          'model_not_found',
          'model',
        );
      }
      return { up, model: rest, exposed: model, viaAlias: false };
    }
    return null;
  }

  /** May a request go to this upstream now (its circuit)? */
  admit(up: LiveUpstream): Admit {
    return up.breaker.admit();
  }

  /** How a request to the upstream ended: counts towards its circuit. */
  record(name: string, result: 'success' | 'failure' | 'neutral', reason?: string): void {
    const up = this.items.get(name);
    if (!up) return;
    if (result === 'success') {
      up.breaker.success();
      up.lastError = null;
    } else if (result === 'failure') {
      up.breaker.failure();
      up.lastError = reason ?? 'a request failed';
    } else up.breaker.neutral();
  }

  /** Availability now per upstream (`upstream:<name>` → 1 circuit closed, 0 open or probing), for /metrics. */
  availability(): [string, number][] {
    return [...this.items.values()].map((u) => [`upstream:${u.config.name}`, u.breaker.state === 'closed' ? 1 : 0]);
  }

  /** The keys in memory: scrubbed literally from diagnostics bundles as a last line of defence. */
  secrets(): string[] {
    return [...this.items.values()].map((u) => u.apiKey).filter((k): k is string => k !== null);
  }

  /** Every name an upstream lists in /v1/models: its aliases, then `<prefix><model>` per known model. */
  openAiModels(): OpenAiModel[] {
    this.maybeReload();
    return [...this.items.values()].flatMap((up) => [
      ...Object.keys(up.config.aliases).map((a) => this.openAiModel(up, a)),
      ...(up.config.prefix !== null ? (up.models ?? []).map((m) => this.openAiModel(up, up.config.prefix + m)) : []),
    ]);
  }

  openAiModel(up: LiveUpstream, exposed: string): OpenAiModel {
    const state: OpenAiModel['state'] = up.breaker.state === 'open' ? 'failed' : up.models === null && up.lastError ? 'failed' : 'loaded';
    return { id: exposed, object: 'model', created: Math.floor(Date.parse(up.config.createdAt) / 1000), owned_by: `upstream:${up.config.name}`, state };
  }

  /** Run one health check now (also the half-open probe when the circuit's open time is over). */
  async check(up: LiveUpstream): Promise<void> {
    if (up.breaker.state !== 'closed' && !up.breaker.admit().ok) return;
    try {
      up.models = await fetchUpstreamModels(up.config.baseUrl, up.apiKey, HEALTH_TIMEOUT_MS, this.deps.fetch);
      up.lastCheckAt = this.now();
      this.record(up.config.name, 'success');
    } catch (err) {
      up.lastCheckAt = this.now();
      this.record(up.config.name, 'failure', `health check: ${(err as Error).message}`);
    }
  }

  private schedule(up: LiveUpstream, delayMs: number): void {
    clearTimeout(up.timer ?? undefined);
    up.timer = setTimeout(() => {
      void this.check(up).finally(() => {
        if (this.running && this.items.get(up.config.name) === up) this.schedule(up, up.config.healthIntervalSeconds * 1000);
      });
    }, delayMs);
    up.timer.unref();
  }

  private checkNames(given: UpstreamInput): void {
    const aliases = Object.keys(given.aliases ?? {});
    for (const a of aliases) {
      if (this.deps.isLocalName(a)) throw new HttpError(409, `alias '${a}' is already a local deployment or model; choose another alias`, 'invalid_request_error', 'alias_conflict', `aliases.${a}`);
      for (const o of this.items.values()) {
        if (Object.keys(o.config.aliases).some((b) => b.toLowerCase() === a.toLowerCase()))
          throw new HttpError(409, `alias '${a}' is already an alias of upstream '${o.config.name}'`, 'invalid_request_error', 'alias_conflict', `aliases.${a}`);
      }
    }
    const prefix = given.prefix === undefined ? `${given.name}/` : given.prefix;
    const clash = prefix !== null ? [...this.items.values()].find((o) => o.config.prefix !== null && (o.config.prefix.startsWith(prefix) || prefix.startsWith(o.config.prefix))) : undefined;
    if (clash) throw new HttpError(409, `prefix '${prefix}' overlaps upstream '${clash.config.name}' prefix '${clash.config.prefix}'`, 'invalid_request_error', 'alias_conflict', 'prefix');
    if (given.fallback && !this.deps.isLocalName(given.fallback))
      throw new HttpError(400, `invalid upstream field \`fallback\`: no local deployment or model named '${given.fallback}'`, 'invalid_request_error', 'invalid_value', 'fallback');
  }

  private live(config: SavedUpstream): LiveUpstream {
    let apiKey: string | null = null;
    let lastError: string | null = null;
    try {
      apiKey = config.apiKeyEncrypted ? this.deps.box.open(config.apiKeyEncrypted) : null;
    } catch (err) {
      lastError = (err as Error).message;
    }
    const breaker = new CircuitBreaker({ threshold: config.failureThreshold, openMs: config.openSeconds * 1000 }, this.now);
    return { config, apiKey, breaker, models: null, lastCheckAt: null, lastError, timer: null };
  }

  /** The CLI may change the file while a core runs: re-read it when its mtime moved (checked once a second). */
  private maybeReload(): void {
    const now = this.now();
    if (now - this.checkedFileAt < RECHECK_FILE_MS) return;
    this.checkedFileAt = now;
    if (this.deps.store.mtimeMs() !== this.mtime) this.reload();
  }

  private reload(): void {
    this.mtime = this.deps.store.mtimeMs();
    const { upstreams, problems } = this.deps.store.load();
    if (problems.length) this.problems = problems;
    const next = new Map<string, LiveUpstream>();
    for (const config of upstreams) {
      const old = this.items.get(config.name);
      // An unchanged upstream keeps its live state (circuit, models); a changed one starts afresh.
      next.set(config.name, old && JSON.stringify(old.config) === JSON.stringify(config) ? old : this.live(config));
    }
    for (const [name, old] of this.items) if (next.get(name) !== old) clearTimeout(old.timer ?? undefined);
    this.items = next;
    if (this.running) for (const up of next.values()) if (!up.timer) this.schedule(up, 0);
  }
}

/** `http://h:8000` and `http://h:8000/v1/` both become `http://h:8000/v1` (the SDKs' base URL). */
export function normalizeBaseUrl(raw: string): string {
  const u = new URL(raw);
  const path = u.pathname.replace(/\/+$/, '');
  const v1 = API_PREFIXES.openai;
  return `${u.origin}${path.endsWith(v1) ? path : `${path}${v1}`}`;
}

function viewOf(u: LiveUpstream): UpstreamView {
  const c = u.config;
  const retry = u.breaker.retryAfterMs();
  const circuit: CircuitState = u.breaker.state;
  return {
    name: c.name,
    baseUrl: c.baseUrl,
    hasKey: c.apiKeyEncrypted !== null,
    prefix: c.prefix,
    aliases: c.aliases,
    fallback: c.fallback,
    timeoutSeconds: c.timeoutSeconds,
    maxConcurrent: c.maxConcurrent,
    healthIntervalSeconds: c.healthIntervalSeconds,
    failureThreshold: c.failureThreshold,
    openSeconds: c.openSeconds,
    createdAt: c.createdAt,
    circuit,
    retryAfterSeconds: retry === null ? null : Math.ceil(retry / 1000),
    models: u.models,
    lastCheckAt: u.lastCheckAt === null ? null : new Date(u.lastCheckAt).toISOString(),
    lastError: u.lastError,
    consecutiveFailures: u.breaker.consecutiveFailures,
  };
}
