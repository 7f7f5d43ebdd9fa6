// The support bundle from a real `llama-orch serve` that has answered a chat: the listed contents are
// all there, and a secret put into a prompt, an API key and an HF token are found nowhere in it.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_ROUTE } from '../../electron/contract/index.js';
import { SettingsStore } from '../../electron/core/settings/settings.js';
import { testEnginePath } from '../helpers/engine.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const PROMPT_SECRET = 'PROMPT-SECRET-7c1e9a4f-do-not-ship';
const HF_TOKEN = 'hf_DIAGNOSETESTTOKEN0123456789abcdef';
const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
if (!hasUnzip) console.warn('diagnose: skipped, the `unzip` tool is not installed to read the bundle back');

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));
}

describe.skipIf(!hasUnzip)('llama-orch diagnose', () => {
  const data = tempDir();
  const out = tempDir();
  let serve: ServeHandle | null = null;
  afterAll(async () => {
    await serve?.stop();
    data.cleanup();
    out.cleanup();
  });

  it('bundles versions, hardware, engines, deployments, logs, metrics and request stats, and no secret', async () => {
    new SettingsStore(join(data.path, 'settings.json')).update({ hub: { token: HF_TOKEN } });
    const created = await cli('keys', 'create', '--name', 'diag-test', '--json', '--data-dir', data.path);
    expect(created.code, created.stderr).toBe(0);
    const apiKey = (JSON.parse(created.stdout) as { key: string }).key;
    serve = await startServe(['--engine', testEnginePath(), '--model', STORIES_MODEL, '--data-dir', data.path], { timeoutMs: 60_000 });
    const chat = await fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ model: 'stories260K', messages: [{ role: 'user', content: `Remember ${PROMPT_SECRET}` }], max_tokens: 8 }),
    });
    expect(chat.status, await chat.clone().text()).toBe(200);
    await chat.text();
    const logs = join(data.path, 'logs');
    await waitFor(() => readdirSync(logs).some((n) => n.startsWith('requests-') && readFileSync(join(logs, n), 'utf8').includes('stories260K')), 'the request to be logged', 30_000);

    const zip = join(out.path, 'bundle.zip');
    const r = await cli('diagnose', '--out', zip, '--data-dir', data.path);
    expect(r.code, r.stderr).toBe(0);
    const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
    for (const want of [
      'index.txt',
      'versions.json',
      'os.json',
      'hardware/snapshot.json',
      'hardware/raw/nvidia-smi-xml.txt',
      'engines.json',
      'deployments.json',
      'settings.json',
      'events/audit.jsonl',
      'metrics.txt',
      'requests/stats.json',
    ]) {
      expect(names).toContain(want);
    }
    expect(names.some((n) => /^logs\/engines\/.+\.log/.test(n))).toBe(true);
    const entry = (name: string) => execFileSync('unzip', ['-p', zip, name], { encoding: 'utf8' });
    expect(JSON.parse(entry('settings.json')).hub.token).toBe('[removed]');
    expect(entry('metrics.txt')).toContain('llama_orch_requests_total');
    const stats = JSON.parse(entry('requests/stats.json')) as { rows: { model: string; count: number; totalMs: { p50: number } }[] };
    expect(stats.rows.find((row) => row.model === 'stories260K')).toMatchObject({ count: 1 });
    expect(JSON.parse(entry('deployments.json'))[0].instance.state).toBe('ready');

    const secrets = [PROMPT_SECRET, apiKey, HF_TOKEN, JSON.parse(readFileSync(join(data.path, 'run', 'core.json'), 'utf8')).adminToken as string];
    const raw = readFileSync(zip);
    for (const name of names) {
      const text = entry(name);
      for (const s of secrets) expect(text.includes(s), `${name} holds a secret`).toBe(false);
    }
    for (const s of secrets) expect(raw.includes(s)).toBe(false);

    // The same bundle from the running core (the UI's button): admin only, a zip, no secret either.
    expect((await fetch(`${serve.url}${DIAGNOSTICS_ROUTE}`)).status).toBe(401);
    const res = await fetch(`${serve.url}${DIAGNOSTICS_ROUTE}`, { headers: { authorization: `Bearer ${secrets[3]}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="llama-orch-diagnostics-.+\.zip"$/);
    const fromApi = join(out.path, 'from-api.zip');
    writeFileSync(fromApi, Buffer.from(await res.arrayBuffer()));
    const apiNames = execFileSync('unzip', ['-Z1', fromApi], { encoding: 'utf8' }).trim().split('\n');
    expect(apiNames).toEqual(expect.arrayContaining(['settings.json', 'metrics.txt', 'requests/stats.json', 'deployments.json']));
    for (const name of apiNames) {
      const text = execFileSync('unzip', ['-p', fromApi, name], { encoding: 'utf8' });
      for (const s of secrets) expect(text.includes(s), `${name} (API bundle) holds a secret`).toBe(false);
    }
    expect(existsSync(zip)).toBe(true);
  }, 180_000);
});
