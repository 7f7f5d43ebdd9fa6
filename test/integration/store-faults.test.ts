// Metrics never take inference down: with the operations store locked by another process or corrupt
// on disk, /v1 keeps answering, /healthz reports the problem, and the rows queued meanwhile are
// written once the lock is gone. The CLI reads the report from the data dir without a core running.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthzResponse } from '../../electron/contract/index.js';
import { Core } from '../../electron/core/core.js';
import { DatabaseSync } from '../../electron/core/store/sqlite.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { testEnginePath } from '../helpers/engine.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';

const MODEL = 'stories260K';

async function chat(url: string): Promise<number> {
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }) });
  await res.text();
  return res.status;
}

const healthz = async (url: string) => (await (await fetch(`${url}/healthz`)).json()) as HealthzResponse;

describe('operations store faults', () => {
  let t: TestCore | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('keeps serving while the store is locked, reports it in /healthz, then writes the queued rows', async () => {
    t = await startTestCore();
    expect(await chat(t.url)).toBe(200);
    await waitFor(() => t!.core.store.health().queued === 0 && t!.core.store.requests(0, Date.now() + 1).length === 1, 'the first row to be written');
    const other = new DatabaseSync(join(t.dataDir, 'ops.sqlite'));
    other.exec('BEGIN IMMEDIATE'); // another process holds the write lock
    try {
      for (let i = 0; i < 3; i++) expect(await chat(t.url)).toBe(200);
      await waitFor(() => t!.core.store.health().problem, 'the store to report the lock');
      const h = await healthz(t.url);
      expect(h.status).toBe('degraded');
      expect(h.problems?.join('\n')).toMatch(/operations store could not be written .*requests are served/);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await waitFor(() => t!.core.store.health().ok && t!.core.store.health().queued === 0, 'the queued rows to be written', 20_000);
    expect(t.core.store.requests(0, Date.now() + 1)).toHaveLength(4);
    expect((await healthz(t.url)).status).toBe('ok');
  });

  it('moves a corrupt store aside, serves, records into a new one, and the CLI reports it without a core', async () => {
    t = await startTestCore({}, []);
    const dataDir = t.dataDir;
    await t.core.stop();
    writeFileSync(join(dataDir, 'ops.sqlite'), 'garbage, not SQLite '.repeat(500));
    const core = new Core({ dataDir, host: '127.0.0.1', port: 0, enginePath: testEnginePath(), policy: { backoffBaseMs: 50 } });
    core.deployments.addUnsaved({ name: MODEL, model: STORIES_MODEL, reproducible: false });
    try {
      const url = await core.listen();
      expect(readdirSync(dataDir).some((n) => n.startsWith('ops.sqlite.corrupt-'))).toBe(true);
      expect(await chat(url)).toBe(200);
      await waitFor(() => core.store.requests(0, Date.now() + 1).length === 1, 'the request to be recorded in the new store');
    } finally {
      await core.stop();
    }
    const r = spawnSync(process.execPath, [CLI, 'report', '--format', 'csv', '--data-dir', dataDir], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.find((x) => x.scope === 'deployment')).toMatchObject({ name: MODEL, requests: '1', errors: '0' });
    const jsonl = spawnSync(process.execPath, [CLI, 'report', '--format', 'jsonl', '--data-dir', dataDir], { encoding: 'utf8', timeout: 30_000 });
    expect(jsonl.status).toBe(0);
    expect(
      jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { deployment: string; status: number }),
    ).toEqual([expect.objectContaining({ deployment: MODEL, status: 200 })]);
    const bad = spawnSync(process.execPath, [CLI, 'report', '--month', '2026-13', '--data-dir', dataDir], { encoding: 'utf8', timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--month must look like 2026-11/);
  });
});
