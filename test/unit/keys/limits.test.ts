// Key limits as pure logic: the requests-per-minute bucket, the quota periods, validation of limits,
// and the key store keeping limits and usage counters across a restart (real files).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyLimitsPatchSchema, periodsOf, RateLimiter } from '../../../electron/core/security/key-limits.js';
import { KeyStore } from '../../../electron/core/security/keys.js';
import { HttpError } from '../../../electron/core/util/errors.js';
import { tempDir } from '../../helpers/tmp.js';

describe('RateLimiter', () => {
  it('lets a burst of rpm requests through, then one more every 60/rpm seconds, with the wait stated', () => {
    const r = new RateLimiter();
    for (let i = 0; i < 6; i++) expect(r.take('k', 6, 1000).ok).toBe(true);
    const refused = r.take('k', 6, 1000);
    expect(refused).toMatchObject({ ok: false, remaining: 0, limit: 6 });
    expect(refused.retryAfterMs).toBe(10_000);
    expect(r.take('k', 6, 10_999).ok).toBe(false);
    expect(r.take('k', 6, 11_000).ok).toBe(true);
  });

  it('keeps one bucket per key', () => {
    const r = new RateLimiter();
    expect(r.take('a', 1, 0).ok).toBe(true);
    expect(r.take('a', 1, 0).ok).toBe(false);
    expect(r.take('b', 1, 0).ok).toBe(true);
  });
});

describe('key limits', () => {
  it('ends the quota day at local midnight and the month at the first of the next month', () => {
    const t = new Date(2026, 11, 31, 23, 30).getTime();
    const p = periodsOf(t);
    expect(p.day).toBe('2026-12-31');
    expect(p.month).toBe('2026-12');
    expect(p.dayEndsMs - t).toBe(30 * 60_000);
    expect(p.monthEndsMs).toBe(new Date(2027, 0, 1).getTime());
  });

  it('reads a bare expiry date as valid through the end of that local day', () => {
    const v = keyLimitsPatchSchema.parse({ expiresAt: '2027-01-31' });
    expect(Date.parse(v.expiresAt!)).toBe(new Date(2027, 1, 1).getTime() - 1);
  });

  it.each([
    [{ rpm: 0 }, 'rpm'],
    [{ rpm: 1.5 }, 'rpm'],
    [{ tokensPerDay: '100' }, 'tokensPerDay'],
    [{ models: [] }, 'models'],
    [{ models: [''] }, 'models.0'],
    [{ expiresAt: 'next tuesday' }, 'expiresAt'],
    [{ rpn: 5 }, ''],
  ])('refuses %j naming the field', (limits, field) => {
    const dir = tempDir();
    try {
      const store = new KeyStore(join(dir.path, 'keys.json'));
      let err: unknown;
      try {
        store.create('x', 'inference', limits);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(400);
      if (field) expect((err as HttpError).param).toBe(field);
      expect(store.count).toBe(0);
    } finally {
      dir.cleanup();
    }
  });
});

describe('KeyStore with limits', () => {
  it('keeps limits, updates them (null removes one) and matches keys written before limits existed', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'keys.json');
      const store = new KeyStore(file);
      const { key, info } = store.create('legal', 'inference', { models: ['emb'], rpm: 60, tokensPerDay: 2_000_000 });
      expect(info).toMatchObject({ models: ['emb'], rpm: 60, tokensPerDay: 2_000_000, tokensPerMonth: null, expiresAt: null });
      expect(store.update(info.id, { rpm: null, tokensPerMonth: 10 })).toMatchObject({ rpm: null, tokensPerMonth: 10, models: ['emb'] });
      expect(store.update('nope', { rpm: 1 })).toBeNull();
      expect(new KeyStore(file).check(key)!.limits).toMatchObject({ models: ['emb'], rpm: null, tokensPerMonth: 10 });

      const old = join(dir.path, 'old.json');
      const { sha256 } = JSON.parse(readFileSync(file, 'utf8')).keys[0] as { sha256: string };
      writeFileSync(old, JSON.stringify({ keys: [{ id: 'a1', name: 'old', scope: 'inference', prefix: 'lo-x', createdAt: '2026-01-01T00:00:00Z', lastUsedAt: null, sha256 }] }));
      expect(new KeyStore(old).check(key)!.limits).toMatchObject({ models: null, expiresAt: null, rpm: null, tokensPerDay: null, tokensPerMonth: null });
    } finally {
      dir.cleanup();
    }
  });

  it('keeps usage counters across a restart, and a new day starts at zero', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'keys.json');
      const store = new KeyStore(file);
      const { info } = store.create('mail', 'inference');
      const noon = new Date(2026, 5, 10, 12).getTime();
      store.usage.record(info.id, 120, noon);
      store.usage.record(info.id, 30, noon);
      store.flushUsage();
      const again = new KeyStore(file);
      expect(again.usage.get(info.id, noon)).toMatchObject({ today: { requests: 2, tokens: 150 }, thisMonth: { requests: 2, tokens: 150 } });
      const tomorrow = new Date(2026, 5, 11, 9).getTime();
      expect(again.usage.get(info.id, tomorrow)).toMatchObject({ today: { requests: 0, tokens: 0 }, thisMonth: { requests: 2, tokens: 150 } });
      expect(again.list()[0]!.usage).toBeDefined();
    } finally {
      dir.cleanup();
    }
  });

  it('moves a corrupt usage file aside and says so, instead of silently resetting it', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'key-usage.json'), '{"version": 1, "keys": ');
      const warnings: string[] = [];
      new KeyStore(join(dir.path, 'keys.json'), (m) => warnings.push(m));
      expect(warnings.join('\n')).toMatch(/key usage file .* moved to/);
      expect(readdirSync(dir.path).some((f) => f.startsWith('key-usage.json.corrupt-'))).toBe(true);
    } finally {
      dir.cleanup();
    }
  });
});
