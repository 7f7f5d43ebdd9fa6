// No network by default, none at all in offline mode. The journey (import a kit, start, load, chat
// through the API, stop) runs in a network namespace with only loopback while `strace -f` records
// every connect(): none may leave 127.0.0.0/8, ::1 or unix sockets. Offline mode refuses hub and
// engine downloads with a message saying so, before any connection.
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_ROUTES, MODEL_ROUTES } from '../../electron/contract/index.js';
import { parseConnectLog, summarize } from '../helpers/connect-log.js';
import { testEnginePath } from '../helpers/engine.js';
import { sourceDataDir } from '../helpers/kit-source.js';
import { CLI, ROOT, STORIES_MODEL } from '../helpers/paths.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const DRIVER = join(ROOT, 'test', 'helpers', 'egress-journey.mjs');

/** Why the namespace journey cannot run here, or null when it can. */
function namespaceBlocker(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'needs linux-x64 (the test engine)';
  if (process.getuid?.() !== 0) return 'needs root for `unshare -n` (CI runs as root)';
  for (const tool of ['unshare', 'strace', 'ip']) if (spawnSync('which', [tool]).status !== 0) return `needs \`${tool}\``;
  if (spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up']).status !== 0) return 'network namespaces are not allowed here (`unshare -n` failed)';
  return null;
}
const blocker = namespaceBlocker();
if (blocker) console.warn(`zero-egress: namespace journey skipped: ${blocker}`);

describe.skipIf(blocker !== null)('zero egress: the journey in a loopback-only network namespace', () => {
  const work = tempDir();
  afterAll(() => work.cleanup());
  beforeAll(async () => {
    await sourceDataDir(join(work.path, 'source'), work.path);
    const r = spawnSync(process.execPath, [CLI, 'kit', 'export', join(work.path, 'kit'), '--data-dir', join(work.path, 'source')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it('imports a kit, loads, chats through the API and stops with every connect() on this machine', async () => {
    const log = join(work.path, 'connect.log');
    const script = `ip link set lo up && exec strace -f -qq -e trace=connect -o '${log}' '${process.execPath}' '${DRIVER}' '${CLI}' '${join(work.path, 'kit')}' '${join(work.path, 'target')}' story`;
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('unshare', ['-n', 'sh', '-c', script], { timeout: 300_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
    );
    expect(out.code, out.stderr).toBe(0);
    const journey = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { status: number; content: string | null; error: string | null; serveExit: number };
    expect(journey.status, journey.error ?? '').toBe(200);
    expect(journey.content?.length).toBeGreaterThan(0);
    expect(journey.serveExit).toBe(0);
    const calls = parseConnectLog(readFileSync(log, 'utf8'));
    const summary = summarize(calls);
    console.log(`zero-egress connect() summary: ${JSON.stringify(summary)}`);
    writeFileSync(join(work.path, 'summary.json'), JSON.stringify(summary));
    expect(summary.remote).toEqual({});
    // The recording works: the chat itself went through loopback connections.
    expect(calls.filter((c) => c.family === 'AF_INET' && c.local).length).toBeGreaterThan(0);
  }, 320_000);
});

describe('offline mode (`serve --offline`)', () => {
  const data = tempDir();
  let serve: ServeHandle;
  let token: string;
  beforeAll(async () => {
    serve = await startServe(['--engine', testEnginePath(), '--data-dir', data.path, '--offline', '--model', STORIES_MODEL], { timeoutMs: 60_000 });
    token = (JSON.parse(readFileSync(join(data.path, 'run', 'core.json'), 'utf8')) as { adminToken: string }).adminToken;
  }, 90_000);
  afterAll(async () => {
    await serve?.stop();
    data.cleanup();
  });
  const admin = (path: string, body: unknown) =>
    fetch(`${serve.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('says so at start and still serves local models', async () => {
    expect(serve.output.join('\n')).toContain('offline mode: no connection beyond this machine');
    const res = await fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories260K', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 }),
    });
    expect(res.status).toBe(200);
  });

  it('refuses a pull and a hub search with "offline mode" in the OpenAI error envelope', async () => {
    const pull = await admin(MODEL_ROUTES.pull, { repo: 'ggml-org/models', file: 'x.gguf' });
    const search = await fetch(`${serve.url}${MODEL_ROUTES.search}?q=llama`, { headers: { authorization: `Bearer ${token}` } });
    for (const res of [pull, search]) {
      const text = await res.text();
      expect(res.status, text).toBe(409);
      expect(JSON.parse(text).error).toMatchObject({ code: 'offline_mode', type: 'invalid_request_error' });
      expect(JSON.parse(text).error.message).toMatch(/^offline mode is on: (pulling ggml-org\/models|searching the hub) needs the network/);
    }
  });

  it('refuses an engine download, pointing to archives and kits', async () => {
    const res = await admin(ENGINE_ROUTES.install, {});
    const body = (await res.json()) as { error: { message: string } };
    expect(res.status).toBe(400);
    expect(body.error.message).toMatch(/^offline mode is on: engine downloads need the network.*kit import/);
  });
});
