// API keys: scoped (`inference` for /v1, `admin` for everything), stored only as sha256 hashes in
// <data>/keys.json (mode 0600), compared in constant time. The file is the source of truth so the
// CLI (`llama-orch keys …`) and a running core see the same keys: the core re-reads it when its
// mtime changes. A key may carry limits (allow-list, expiry, rate, token quotas: key-limits.ts);
// its usage counters live in key-usage.json beside it (key-usage.ts).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApiKeyInfo, CreateKeyResponse, KeyLimits, KeyScope } from '../../contract/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { HttpError } from '../util/errors.js';
import { validate } from '../util/validate.js';
import { keyLimitsPatchSchema, limitsOf, NO_LIMITS, RateLimiter } from './key-limits.js';
import { KeyUsageCounters } from './key-usage.js';

interface StoredKey extends ApiKeyInfo {
  sha256: string;
}

/** A key that matched: what the gateway needs to apply its limits. */
export interface CheckedKey {
  id: string;
  scope: KeyScope;
  limits: KeyLimits;
}

const KEY_PREFIX = 'lo-';
const RECHECK_MS = 1000;

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export class KeyStore {
  private keys: StoredKey[] = [];
  private mtimeMs = -1;
  private checkedAt = 0;
  private dirtyUse = false;
  /** Keys existed at some point in this process: a store that then vanishes must not open the API. */
  private hadKeys = false;
  private closedReason: string | null = null;
  /** Requests and tokens per key today and this month (survive a restart). */
  readonly usage: KeyUsageCounters;
  /** Requests-per-minute buckets (in memory). */
  readonly rate = new RateLimiter();

  constructor(
    private readonly file: string,
    /** Where a fail-closed key store is reported (default: stderr). */
    private readonly warn: (message: string) => void = (m) => process.stderr.write(`llama-orch: ${m}\n`),
  ) {
    this.usage = new KeyUsageCounters(join(dirname(file), 'key-usage.json'), warn);
    this.reload();
  }

  /**
   * Why the store fails closed, or null. Once keys existed, a key file that disappears, stops being
   * readable or loses its `keys` list (replaced by `{}`) refuses every key-less request instead of
   * falling back to the open loopback mode. Revoking the last key writes `{"keys": []}`: deliberate.
   */
  get failClosed(): string | null {
    this.maybeReload();
    return this.closedReason;
  }

  list(): ApiKeyInfo[] {
    this.maybeReload();
    return this.keys.map(({ sha256: _h, ...info }) => ({ ...info, usage: this.usage.get(info.id) }));
  }

  get count(): number {
    this.maybeReload();
    return this.keys.length;
  }

  /** Create a key; `limits` is validated (400 naming the field). */
  create(name: string, scope: KeyScope, limits: unknown = {}): CreateKeyResponse {
    if (typeof name !== 'string' || !name.trim() || name.length > 100)
      throw new HttpError(400, '`name` must be a non-empty string of at most 100 characters', 'invalid_request_error', 'invalid_value', 'name');
    if (scope !== 'inference' && scope !== 'admin') throw new HttpError(400, "`scope` must be 'inference' or 'admin'", 'invalid_request_error', 'invalid_value', 'scope');
    const { name: _n, ...given } = validate(keyLimitsPatchSchema, limits ?? {});
    this.reload();
    const key = KEY_PREFIX + randomBytes(24).toString('base64url');
    const info: ApiKeyInfo = { id: randomUUID().slice(0, 8), name: name.trim(), scope, prefix: key.slice(0, 10), createdAt: new Date().toISOString(), lastUsedAt: null, ...NO_LIMITS, ...given };
    this.keys.push({ ...info, sha256: hashKey(key).toString('hex') });
    this.save();
    return { key, info };
  }

  /** Change a key's name or limits (null removes a limit); null when no key has that id. */
  update(id: string, patch: unknown): ApiKeyInfo | null {
    const p = validate(keyLimitsPatchSchema, patch);
    this.reload();
    const k = this.keys.find((x) => x.id === id);
    if (!k) return null;
    for (const [field, value] of Object.entries(p)) if (value !== undefined) (k as unknown as Record<string, unknown>)[field] = value;
    this.save();
    this.rate.forget(id);
    const { sha256: _h, ...info } = k;
    return { ...info, usage: this.usage.get(id) };
  }

  revoke(id: string): boolean {
    this.reload();
    const before = this.keys.length;
    this.keys = this.keys.filter((k) => k.id !== id);
    if (this.keys.length === before) return false;
    this.save();
    this.usage.forget(id);
    this.rate.forget(id);
    return true;
  }

  /** The key's scope and limits, or null if it matches no key. Every stored hash is compared (constant time). */
  check(key: string): CheckedKey | null {
    this.maybeReload();
    const h = hashKey(key);
    let found: StoredKey | null = null;
    for (const k of this.keys) if (timingSafeEqual(h, Buffer.from(k.sha256, 'hex'))) found = k;
    if (found) {
      found.lastUsedAt = new Date().toISOString();
      this.dirtyUse = true;
    }
    return found ? { scope: found.scope, id: found.id, limits: limitsOf(found) } : null;
  }

  /** Persist last-used times (called on an interval and at shutdown, not per request). */
  flushUsage(): void {
    try {
      this.usage.flush();
    } finally {
      this.flushLastUsed();
    }
  }

  private flushLastUsed(): void {
    if (!this.dirtyUse) return;
    this.dirtyUse = false;
    const used = new Map(this.keys.map((k) => [k.id, k.lastUsedAt]));
    this.reload();
    for (const k of this.keys) k.lastUsedAt = used.get(k.id) ?? k.lastUsedAt;
    this.save();
  }

  private maybeReload(): void {
    const now = Date.now();
    if (now - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = now;
    const m = existsSync(this.file) ? statSync(this.file).mtimeMs : -1;
    if (m !== this.mtimeMs) this.reload();
  }

  private reload(): void {
    this.checkedAt = Date.now();
    if (!existsSync(this.file)) {
      this.keys = [];
      this.mtimeMs = -1;
      this.setClosed(this.hadKeys ? 'was deleted' : null);
      return;
    }
    this.mtimeMs = statSync(this.file).mtimeMs;
    let data: { keys?: StoredKey[] };
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8')) as { keys?: StoredKey[] };
    } catch (err) {
      if (!this.hadKeys) throw new Error(`API key file ${this.file} is unreadable (${(err as Error).message})`);
      this.keys = [];
      return this.setClosed(`is unreadable (${(err as Error).message})`);
    }
    // Keys written before limits existed have none: normalised once here, not on every request.
    this.keys = Array.isArray(data?.keys) ? data.keys.map((k) => ({ ...k, ...limitsOf(k) })) : [];
    if (this.keys.length > 0) this.hadKeys = true;
    this.setClosed(this.hadKeys && !Array.isArray(data?.keys) ? 'has no `keys` list' : null);
  }

  private setClosed(why: string | null): void {
    const reason = why ? `API key file ${this.file} ${why} after keys existed: key-less requests are refused (401) until keys are created again or the file is restored` : null;
    if (reason && reason !== this.closedReason) this.warn(reason);
    else if (!reason && this.closedReason) this.warn(`API key file ${this.file} is readable again`);
    this.closedReason = reason;
  }

  private save(): void {
    writeFileAtomic(this.file, JSON.stringify({ keys: this.keys }, null, 2) + '\n');
    if (this.keys.length > 0) this.hadKeys = true;
    this.setClosed(null);
    this.mtimeMs = statSync(this.file).mtimeMs;
  }
}
