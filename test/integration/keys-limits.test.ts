// Per-key limits through the official `openai` SDK against the real engine: allow-list (403 and a
// filtered /v1/models), expiry (401 key_expired), requests per minute (429 + Retry-After honoured by
// the SDK's retry), a token quota used up mid-day, and the counters surviving a restart.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyInfo } from '../../electron/contract/index.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

type Seen = { status: number; headers: Headers }[];

/** An SDK client whose every HTTP answer is recorded (to see the 429s the SDK retried). */
function sdk(url: string, key: string, maxRetries = 0): { client: OpenAI; seen: Seen } {
  const seen: Seen = [];
  const client = new OpenAI({
    baseURL: `${url}/v1`,
    apiKey: key,
    maxRetries,
    fetch: async (input, init) => {
      const r = await fetch(input, init);
      seen.push({ status: r.status, headers: r.headers });
      return r;
    },
  });
  return { client, seen };
}

const chat = (model: string, maxTokens = 1) => ({ model, messages: [{ role: 'user' as const, content: 'Once upon a time' }], max_tokens: maxTokens, temperature: 0 });

async function keyInfo(t: TestCore, id: string): Promise<ApiKeyInfo> {
  const r = await fetch(`${t.url}/api/v1/keys`, { headers: { authorization: `Bearer ${t.core.auth.adminToken}` } });
  return ((await r.json()) as { data: ApiKeyInfo[] }).data.find((k) => k.id === id)!;
}

describe('API keys with limits (real engine, official SDK)', () => {
  let t: TestCore;

  beforeAll(async () => {
    t = await startTestCore({}, [{ id: 'stories260K' }]);
    t.core.deployments.addUnsaved({ name: 'legal-search', model: STORIES_MODEL, aliases: ['search'] });
  });
  afterAll(() => t?.close());

  it('refuses a model off the allow-list with 403 naming what the key may use, and lists only those', async () => {
    const { key } = t.core.keys.create('mail plug-in', 'inference', { models: ['search'] });
    const { client } = sdk(t.url, key);
    const err = await client.chat.completions.create(chat('stories260K')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).message).toMatch(/may not use 'stories260K'.*search/);
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('model_not_allowed');
    // Allowed by alias: the deployment's own name works too, and the list shows only it.
    expect((await client.chat.completions.create(chat('legal-search'))).choices).toHaveLength(1);
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['legal-search']);
    expect(await client.models.retrieve('stories260K').catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    // A key without an allow-list still sees everything.
    const all = sdk(t.url, t.core.keys.create('dev', 'inference').key).client;
    expect((await all.models.list()).data.map((m) => m.id).sort()).toEqual(['legal-search', 'stories260K']);
  });

  it('answers 401 key_expired once the key has expired, and works again when extended', async () => {
    const { key, info } = t.core.keys.create('temp', 'inference', { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const { client } = sdk(t.url, key);
    expect((await client.chat.completions.create(chat('stories260K'))).choices).toHaveLength(1);
    t.core.keys.update(info.id, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    const err = await client.chat.completions.create(chat('stories260K')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('key_expired');
    t.core.keys.update(info.id, { expiresAt: '2099-01-31' });
    expect((await client.chat.completions.create(chat('stories260K'))).choices).toHaveLength(1);
  });

  it('limits requests per minute with 429 + Retry-After, which the SDK waits out and then succeeds', async () => {
    const { key } = t.core.keys.create('script', 'inference', { rpm: 20 });
    const { client, seen } = sdk(t.url, key, 2);
    const burstStart = performance.now();
    for (let i = 0; i < 20; i++) await client.chat.completions.create(chat('stories260K'));
    expect(seen.at(-1)!.headers.get('x-ratelimit-limit-requests')).toBe('20');
    const t0 = performance.now();
    const r = await client.chat.completions.create(chat('stories260K'));
    const waited = performance.now() - t0;
    expect(r.choices).toHaveLength(1);
    const refused = seen.filter((s) => s.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // One request every 3 s refills the bucket, counted from the first of the 20 (on a loaded machine
    // the burst itself takes a second or more): the SDK waited what Retry-After said, not its own backoff.
    const retryAfterMs = Number(refused[0]!.headers.get('retry-after-ms'));
    expect(retryAfterMs).toBeGreaterThanOrEqual(3000 - (performance.now() - burstStart) - 100);
    expect(retryAfterMs).toBeLessThanOrEqual(3000);
    expect(refused[0]!.headers.get('retry-after')).toBe(String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    expect(refused[0]!.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(waited).toBeGreaterThanOrEqual(retryAfterMs - 100);
  });

  it('refuses with 429 token_quota_exceeded once the day’s tokens are used, and the SDK does not retry it', async () => {
    const { key, info } = t.core.keys.create('legal team', 'inference', { tokensPerDay: 150 });
    const { client, seen } = sdk(t.url, key, 2);
    let err: unknown = null;
    let ok = 0;
    for (let i = 0; i < 20 && !err; i++) {
      // Streams without include_usage are counted too (from the engine's timings).
      await (async () => {
        const stream = await client.chat.completions.create({ ...chat('stories260K', 24), stream: true });
        for await (const _ of stream);
        ok++;
      })().catch((e: unknown) => (err = e));
    }
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('token_quota_exceeded');
    const last = seen.at(-1)!;
    expect(last.status).toBe(429);
    expect(seen.filter((s) => s.status === 429)).toHaveLength(1); // x-should-retry: false
    expect(last.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    const secondsToMidnight = (new Date(new Date().setHours(24, 0, 0, 0)).getTime() - Date.now()) / 1000;
    expect(Math.abs(Number(last.headers.get('retry-after')) - secondsToMidnight)).toBeLessThan(60);
    const usage = (await keyInfo(t, info.id)).usage!;
    expect(usage.today.requests).toBe(ok);
    expect(usage.today.tokens).toBeGreaterThanOrEqual(150);
    expect(usage.thisMonth.tokens).toBe(usage.today.tokens);
  });
});

describe('key usage counters across a restart', () => {
  it('keeps the day’s tokens and keeps refusing a used-up quota after the core restarts', async () => {
    const data = tempDir();
    let t: TestCore | null = await startTestCore({ dataDir: data.path });
    try {
      const { key, info } = t.core.keys.create('nightly job', 'inference', { tokensPerDay: 40 });
      await sdk(t.url, key).client.chat.completions.create(chat('stories260K', 40));
      const before = (await keyInfo(t, info.id)).usage!;
      expect(before.today.tokens).toBeGreaterThanOrEqual(40);
      await t.close();
      t = await startTestCore({ dataDir: data.path });
      expect((await keyInfo(t, info.id)).usage).toEqual(before);
      const err = await sdk(t.url, key)
        .client.chat.completions.create(chat('stories260K'))
        .catch((e: unknown) => e);
      expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('token_quota_exceeded');
    } finally {
      await t?.close();
      data.cleanup();
    }
  });
});
