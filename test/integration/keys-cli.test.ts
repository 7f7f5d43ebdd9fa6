// `llama-orch keys create/update/list` with limits, as a user runs them (the built CLI, a real data
// dir), and the admin API's PATCH of a key, both validated with the field or flag named.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyInfo, CreateKeyResponse } from '../../electron/contract/index.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { CLI } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';

describe('keys with limits from the CLI and the admin API', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ enginePath: undefined }, []);
  });
  afterAll(() => t?.close());

  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'keys', ...args, '--data-dir', t.dataDir], { encoding: 'utf8' });

  it('creates a key with an allow-list, expiry, rate and token quota, updates and lists it', async () => {
    const c = cli('create', '--name', 'legal', '--models', 'search,emb', '--expires', '2027-01-31', '--rpm', '60', '--tokens-per-day', '2000000', '--json');
    expect(c.status).toBe(0);
    const { info } = JSON.parse(c.stdout) as CreateKeyResponse;
    expect(info).toMatchObject({ models: ['search', 'emb'], rpm: 60, tokensPerDay: 2_000_000, tokensPerMonth: null });
    expect(new Date(info.expiresAt!).getDate()).toBe(31);
    const u = cli('update', info.id, '--rpm', 'none', '--tokens-per-month', '50000000', '--json');
    expect(u.status).toBe(0);
    expect(JSON.parse(u.stdout)).toMatchObject({ rpm: null, tokensPerMonth: 50_000_000, models: ['search', 'emb'] });
    const list = cli('list');
    expect(list.stdout).toMatch(/legal\s+\[models search,emb; expires .*; 2000000 tokens\/day; 50000000 tokens\/month\]\s+today 0 req 0 tok/);
    // The running core sees the CLI's change: it looks at keys.json's mtime at most once per recheck
    // interval, so the change shows within that (the CLI can be faster than one interval).
    const seen = await waitFor(() => t.core.keys.list().find((k) => k.id === info.id), 'the core to see the key the CLI created');
    await waitFor(() => t.core.keys.list().find((k) => k.id === info.id)?.tokensPerMonth === 50_000_000, "the core to see the CLI's update");
    expect(seen.name).toBe('legal');
  });

  it('refuses bad limits naming the flag, and changes nothing', () => {
    const before = cli('list', '--json').stdout;
    for (const [flag, value, said] of [
      ['--rpm', 'lots', /--rpm must be a whole number/],
      ['--rpm', '0', /--rpm: /],
      ['--expires', 'soon', /--expires: must be a date/],
    ] as const) {
      const r = cli('create', '--name', 'x', flag, value);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(said);
    }
    expect(cli('update', 'nope', '--rpm', '5').stderr).toMatch(/no API key with id nope/);
    expect(cli('list', '--json').stdout).toBe(before);
  });

  it('updates limits through PATCH /api/v1/keys/:id (400 naming the field, 404 for an unknown key)', async () => {
    const admin = { authorization: `Bearer ${t.core.auth.adminToken}`, 'content-type': 'application/json' };
    const created = await fetch(`${t.url}/api/v1/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'mail', scope: 'inference', models: ['chat'], tokensPerDay: 1000 }) });
    expect(created.status).toBe(201);
    const { info } = (await created.json()) as CreateKeyResponse;
    const patched = await fetch(`${t.url}/api/v1/keys/${info.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ models: null, rpm: 30 }) });
    expect(patched.status).toBe(200);
    expect((await patched.json()) as ApiKeyInfo).toMatchObject({ models: null, rpm: 30, tokensPerDay: 1000, usage: { today: { requests: 0, tokens: 0 } } });
    const bad = await fetch(`${t.url}/api/v1/keys/${info.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ rpm: -1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('rpm');
    const missing = await fetch(`${t.url}/api/v1/keys/nope`, { method: 'PATCH', headers: admin, body: JSON.stringify({ rpm: 1 }) });
    expect(missing.status).toBe(404);
  });
});
