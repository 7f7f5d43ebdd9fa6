// `llama-orch upstreams add|list|check|remove` as a user runs them (the built CLI) against a running
// core on the data dir: the key comes from an environment variable, is never printed, and the core
// serves the change at once.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamView } from '../../electron/contract/index.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { CLI } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = 'sk-cli-upstream-secret-5c1e88aa';

describe('upstreams from the CLI', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore({ enginePath: undefined }, []);
  });
  afterAll(() => t?.close());

  // Asynchronously: the core runs in this process and must answer the CLI's API calls meanwhile.
  const cli = (...args: string[]) => cliOn(t.dataDir, ...args);
  const cliOn = (dataDir: string, ...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const p = spawn(process.execPath, [CLI, 'upstreams', ...args, '--data-dir', dataDir], { env: { ...process.env, LAB_KEY: KEY } });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('error', reject);
      p.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  it('adds an upstream with its key from the environment, lists it without the key, and removes it', async () => {
    // Port 9 (discard) on loopback: nothing answers, so the health check fails with a reason.
    const add = await cli('add', 'lab', 'http://127.0.0.1:9', '--api-key-env', 'LAB_KEY', '--alias', 'big=meta/llama-70b', '--failure-threshold', '5', '--json');
    expect(add.status, add.stderr).toBe(0);
    expect(add.stdout + add.stderr).not.toContain(KEY);
    expect(JSON.parse(add.stdout)).toMatchObject({ name: 'lab', baseUrl: 'http://127.0.0.1:9/v1', hasKey: true, aliases: { big: 'meta/llama-70b' }, failureThreshold: 5 });
    expect(t.core.upstreams.get('lab')!.apiKey).toBe(KEY);

    const list = await cli('list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^lab\s+http:\/\/127\.0\.0\.1:9\/v1\s+key set\s+\[big, lab\/\*\]/m);
    expect(list.stdout).not.toContain(KEY);

    const check = await cli('check', 'lab');
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/last error: health check: cannot reach http:\/\/127\.0\.0\.1:9\/v1\/models/);

    const bad = await cli('add', 'x', 'http://127.0.0.1:9', '--timeout', 'soon');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--timeout must be a whole number/);
    const missing = await cli('add', 'y', 'http://127.0.0.1:9', '--api-key-env', 'NOT_SET_ANYWHERE');
    expect(missing.stderr).toMatch(/NOT_SET_ANYWHERE is not set/);

    expect((await cli('remove', 'lab')).status).toBe(0);
    expect(t.core.upstreams.list()).toEqual([] as UpstreamView[]);
    expect((await cli('remove', 'lab')).stderr).toMatch(/upstream 'lab' not found/);
  });

  it('works on a data dir without a running core: the file holds the key only sealed', async () => {
    const dir = tempDir();
    try {
      const add = await cliOn(dir.path, 'add', 'lab', 'http://127.0.0.1:9/v1', '--api-key-env', 'LAB_KEY', '--no-prefix', '--alias', 'big=m');
      expect(add.status, add.stderr).toBe(0);
      expect(readFileSync(join(dir.path, 'upstreams.json'), 'utf8')).not.toContain(KEY);
      const list = await cliOn(dir.path, 'list', '--json');
      expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'lab', hasKey: true, prefix: null, aliases: { big: 'm' } }]);
      const bad = await cliOn(dir.path, 'add', 'lab2', 'http://127.0.0.1:9/v1', '--no-prefix');
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/name at least one model in `aliases`/);
      expect((await cliOn(dir.path, 'remove', 'lab')).status).toBe(0);
    } finally {
      dir.cleanup();
    }
  });
});
