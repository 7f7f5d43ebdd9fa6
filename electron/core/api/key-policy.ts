// A key's limits applied to one /v1 request, before it waits for a slot: the allow-list (403 naming
// what the key may use), requests per minute and token quotas (429 with Retry-After and the OpenAI
// API's x-ratelimit-* headers, so SDKs back off). Keys without limits, admin credentials and the
// open loopback mode pass straight through: one field read on the hot path.
import type { ServerResponse } from 'node:http';
import type { KeyLimits, OpenAiModel } from '../../contract/index.js';
import { hasLimits, periodsOf } from '../security/key-limits.js';
import type { KeyStore } from '../security/keys.js';
import { HttpError } from '../util/errors.js';
import type { Caller } from './access.js';

type KeyCaller = Extract<Caller, { kind: 'key' }>;

/** OpenAI writes reset times as durations (`1s`, `6m0s`); whole seconds, rounded up, are read the same way. */
const duration = (ms: number) => `${Math.max(0, Math.ceil(ms / 1000))}s`;

/** Whether a deployment (by its name or any alias) is on the key's allow-list. */
export function allowsModel(limits: KeyLimits, model: Pick<OpenAiModel, 'id' | 'aliases'>): boolean {
  if (limits.models === null) return true;
  return limits.models.includes(model.id) || (model.aliases ?? []).some((a) => limits.models!.includes(a));
}

export class KeyPolicy {
  constructor(
    private readonly keys: KeyStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Applies the caller's limits to a request for `model`; throws 403/429, or sets the rate headers. */
  admit(caller: Caller, res: ServerResponse, model: () => OpenAiModel): void {
    if (caller.kind !== 'key' || !hasLimits(caller.limits)) return;
    const limits = caller.limits;
    if (limits.models !== null) {
      const m = model();
      if (!allowsModel(limits, m)) {
        throw new HttpError(403, `this API key may not use '${m.id}'; it may use: ${limits.models.join(', ')}`, 'permission_error', 'model_not_allowed', 'model');
      }
    }
    const nowMs = this.now();
    this.checkTokens(caller, res, nowMs);
    if (limits.rpm !== null) this.takeRequest(caller, limits.rpm, res, nowMs);
  }

  /** Counts a finished request's tokens against the key (only keys; the counters survive restarts). */
  record(caller: Caller, tokens: number): void {
    if (caller.kind === 'key') this.keys.usage.record(caller.keyId, tokens, this.now());
  }

  private takeRequest(caller: KeyCaller, rpm: number, res: ServerResponse, nowMs: number): void {
    const d = this.keys.rate.take(caller.keyId, rpm, nowMs);
    const headers = { 'x-ratelimit-limit-requests': String(d.limit), 'x-ratelimit-remaining-requests': String(d.remaining), 'x-ratelimit-reset-requests': duration(d.resetMs) };
    if (!d.ok) {
      throw new HttpError(429, `rate limit of this API key reached: ${rpm} requests per minute; retry in ${duration(d.retryAfterMs)}`, 'rate_limit_error', 'rate_limit_exceeded', null, {
        ...headers,
        'retry-after': String(Math.max(1, Math.ceil(d.retryAfterMs / 1000))),
        'retry-after-ms': String(d.retryAfterMs),
      });
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  }

  private checkTokens(caller: KeyCaller, res: ServerResponse, nowMs: number): void {
    const { tokensPerDay, tokensPerMonth } = caller.limits;
    if (tokensPerDay === null && tokensPerMonth === null) return;
    const used = this.keys.usage.get(caller.keyId, nowMs);
    const p = periodsOf(nowMs);
    // The tighter of the two quotas is the one reported in the headers.
    const quotas = [
      ...(tokensPerDay !== null ? [{ what: 'day', limit: tokensPerDay, used: used.today.tokens, endsMs: p.dayEndsMs }] : []),
      ...(tokensPerMonth !== null ? [{ what: 'month', limit: tokensPerMonth, used: used.thisMonth.tokens, endsMs: p.monthEndsMs }] : []),
    ];
    const q = quotas.reduce((a, b) => (b.limit - b.used < a.limit - a.used ? b : a));
    const headers = { 'x-ratelimit-limit-tokens': String(q.limit), 'x-ratelimit-remaining-tokens': String(Math.max(0, q.limit - q.used)), 'x-ratelimit-reset-tokens': duration(q.endsMs - nowMs) };
    if (q.used >= q.limit) {
      throw new HttpError(
        429,
        `token quota of this API key used up: ${q.used} of ${q.limit} tokens this ${q.what}; it renews in ${duration(q.endsMs - nowMs)} (local ${q.what === 'day' ? 'midnight' : 'month start'})`,
        'rate_limit_error',
        'token_quota_exceeded',
        null,
        {
          ...headers,
          'retry-after': String(Math.ceil((q.endsMs - nowMs) / 1000)),
          // Retrying within seconds cannot help: tell SDKs (the OpenAI SDKs honour this) not to.
          'x-should-retry': 'false',
        },
      );
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  }
}
