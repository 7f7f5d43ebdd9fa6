// A full disk, for real: the data dir on a small tmpfs the test fills to ENOSPC. Shutdown still
// stops engines; request-log failures are counted and surfaced (health, metric) while chats go on;
// key and settings writes answer 507 and leave no temp files; an engine restart that failed for lack
// of space succeeds once space is back.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCore } from '../helpers/core.js';
import { testEnginePath } from '../helpers/engine.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { isRunning, waitFor } from '../helpers/processes.js';
import { startServe } from '../helpers/serve.js';
import { mountReason, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';

if (mountReason) process.stdout.write(`[skip] full-disk tests: ${mountReason}\n`);

const MODEL = 'stories260K';
const chatBody = JSON.stringify({ model: MODEL, max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] });

function tmpFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.tmp'));
}

describe.skipIf(mountReason !== null)('on a full disk', () => {
  let disk: Tmpfs | null = null;
  afterEach(() => {
    disk?.unmount();
    disk = null;
  });

  it('serve keeps answering, reports the failing log, refuses writes with 507, and SIGTERM still stops the engine', async () => {
    disk = mountTmpfs(16);
    // `keys create` on a data dir that does not exist yet creates it.
    const data = join(disk.path, 'not-yet', 'data');
    const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args, '--data-dir', data], { encoding: 'utf8' });
    const key = (JSON.parse(cli('keys', 'create', '--name', 'ci', '--scope', 'admin', '--json')) as { key: string }).key;
    const auth = { authorization: `Bearer ${key}` };
    const serve = await startServe(['--model', STORIES_MODEL, '--engine', testEnginePath(), '--data-dir', data]);
    const enginePid = serve.enginePids.get(MODEL)!;
    try {
      const chat = () => fetch(`${serve.url}/v1/chat/completions`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: chatBody });
      expect((await chat()).status).toBe(200); // the key's last use is now unsaved
      disk.fill();

      expect((await chat()).status).toBe(200);
      const health = await waitFor(
        async () => {
          await chat();
          const h = (await (await fetch(`${serve.url}/healthz`)).json()) as { status: string; problems?: string[] };
          return h.status === 'degraded' ? h : null;
        },
        'health to report the failing request log',
        20_000,
        200,
      );
      expect(health.problems!.join(' ')).toMatch(/request log could not be written.*ENOSPC/);
      const metrics = await (await fetch(`${serve.url}/metrics`, { headers: auth })).text();
      expect(Number(/llama_orch_log_write_failures_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);

      const patch = await fetch(`${serve.url}/api/v1/settings`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ gateway: { queueDepth: 8 } }) });
      expect(patch.status).toBe(507);
      expect(((await patch.json()) as { error: { message: string; code: string } }).error).toMatchObject({ code: 'insufficient_storage', message: expect.stringMatching(/disk is full/) });
      const created = await fetch(`${serve.url}/api/v1/keys`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', scope: 'inference' }) });
      expect(created.status).toBe(507);
      expect(tmpFiles(data)).toEqual([]);

      expect(await serve.stop('SIGTERM')).toBe(0);
      await waitFor(() => !isRunning(enginePid), 'the engine to be stopped', 10_000);
      expect(serve.output.join('\n')).toMatch(/shutdown: could not save key usage: .*ENOSPC/);
    } finally {
      await serve.stop('SIGKILL');
      if (isRunning(enginePid)) process.kill(enginePid, 'SIGKILL');
    }
  });

  it('starts the engine once space is back (a start that failed for lack of space is retried, not failed)', async () => {
    disk = mountTmpfs(16);
    const t = await startTestCore({ dataDir: join(disk.path, 'data'), policy: { backoffBaseMs: 50, backoffMaxMs: 1000 } });
    try {
      const filler = disk.fill();
      // The engine's key file cannot be written: the start fails with ENOSPC, and the request waits.
      const pending = fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
      const inst = await waitFor(() => t.core.supervisor.findByModel(MODEL), 'the instance to be created');
      await waitFor(() => /waiting for resources.*ENOSPC/.test(inst.info().reason ?? ''), 'the start to wait for disk space', 20_000);
      // More attempts than the crash budget (3) allows: a resource wait never becomes `failed`.
      await waitFor(() => inst.tailLogs().filter((l) => /could not start the engine.*ENOSPC/.test(l.text)).length > 4, 'several retries', 20_000);
      expect(inst.info().state).toBe('starting');
      rmSync(filler);
      expect((await pending).status).toBe(200);
      expect(inst.info().state).toBe('ready');
    } finally {
      await t.close();
    }
  });
});
