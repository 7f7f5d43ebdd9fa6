// What a key may use and how much: the schema of its limits (CLI, API and keys.json share it), the
// per-minute request bucket, and the quota windows (local calendar day and month). Pure: the clock
// is passed in, nothing here does I/O.
import { z } from 'zod';
import type { KeyLimits } from '../../contract/index.js';

const positive = z.number().int().min(1).max(1_000_000_000_000).nullable();

/** The limits part of a create/update request; every field optional, null removes the limit. */
export const keyLimitsPatchSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
  models: z.array(z.string().trim().min(1, 'must not be empty').max(200)).min(1, 'must name at least one deployment or alias (null allows all)').max(1000).nullable().optional(),
  expiresAt: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date or time (ISO 8601, e.g. 2027-01-31)')
    .transform((s) => new Date(expiryInstant(s)).toISOString())
    .nullable()
    .optional(),
  rpm: positive.optional(),
  tokensPerDay: positive.optional(),
  tokensPerMonth: positive.optional(),
});
export type KeyLimitsPatch = z.infer<typeof keyLimitsPatchSchema>;

export const NO_LIMITS: KeyLimits = { models: null, expiresAt: null, rpm: null, tokensPerDay: null, tokensPerMonth: null };

/** A bare date (`2027-01-31`) means "valid through that day": the end of that local day. */
function expiryInstant(s: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    return new Date(y, m - 1, d + 1).getTime() - 1;
  }
  return Date.parse(s);
}

/** The limits of a stored key, whatever version of keys.json wrote it (older keys have none). */
export function limitsOf(k: Partial<KeyLimits>): KeyLimits {
  return { models: k.models ?? null, expiresAt: k.expiresAt ?? null, rpm: k.rpm ?? null, tokensPerDay: k.tokensPerDay ?? null, tokensPerMonth: k.tokensPerMonth ?? null };
}

export function hasLimits(k: KeyLimits): boolean {
  return k.models !== null || k.rpm !== null || k.tokensPerDay !== null || k.tokensPerMonth !== null;
}

/** Local calendar day and month of a time, the windows of the token quotas. */
export function periodsOf(nowMs: number): { day: string; month: string; dayEndsMs: number; monthEndsMs: number } {
  const d = new Date(nowMs);
  const y = d.getFullYear();
  const m = d.getMonth();
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    day: `${y}-${pad(m + 1)}-${pad(d.getDate())}`,
    month: `${y}-${pad(m + 1)}`,
    dayEndsMs: new Date(y, m, d.getDate() + 1).getTime(),
    monthEndsMs: new Date(y, m + 1, 1).getTime(),
  };
}

export interface RateDecision {
  ok: boolean;
  limit: number;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
  /** Until the bucket is full again (x-ratelimit-reset-requests). */
  resetMs: number;
  /** Until the next request is allowed (Retry-After), 0 when ok. */
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
  rpm: number;
}

/**
 * Requests per minute as a token bucket (the OpenAI API's model): `rpm` requests may come at once,
 * then one more every 60/rpm seconds. In memory only: a restart grants at most one extra minute.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  take(keyId: string, rpm: number, nowMs: number): RateDecision {
    let b = this.buckets.get(keyId);
    if (!b || b.rpm !== rpm) this.buckets.set(keyId, (b = { tokens: rpm, atMs: nowMs, rpm }));
    const perMs = rpm / 60_000;
    b.tokens = Math.min(rpm, b.tokens + (nowMs - b.atMs) * perMs);
    b.atMs = nowMs;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    const resetMs = Math.ceil((rpm - b.tokens) / perMs);
    return { ok, limit: rpm, remaining: Math.floor(b.tokens), resetMs, retryAfterMs: ok ? 0 : Math.ceil((1 - b.tokens) / perMs) };
  }

  forget(keyId: string): void {
    this.buckets.delete(keyId);
  }
}
