// The gateway's edges with the real engine behind it: malformed input, auth and scopes, LAN bind
// rules, Host/Origin checks, metrics and the privacy of the request log.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { tempDir } from '../helpers/tmp.js';
import { commandLineOf } from '../helpers/processes.js';

type Envelope = { error: { message: string; type: string; code: string | null; param: string | null } };

/** Raw bytes to the chat route (fetch cannot send invalid UTF-8 or arbitrary Host headers). */
function raw(
  url: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
  path = '/v1/chat/completions',
  method = 'POST',
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('gateway input handling', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore();
    t.core.settings.update({ gateway: { maxBodyBytes: 64 * 1024 } });
  });
  afterAll(() => t?.close());

  const ok = JSON.stringify({ model: 'stories260K', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] });
  const corpus: [string, Buffer | string, number, string | null][] = [
    ['bad JSON', '{"model": "stories260K", ', 400, null],
    ['empty body', '', 400, null],
    ['a JSON array', '[1,2]', 400, null],
    ['model of the wrong type', JSON.stringify({ model: 5, messages: [{ role: 'user', content: 'x' }] }), 400, 'model'],
    ['missing model', JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }), 400, 'model'],
    ['messages not an array', JSON.stringify({ model: 'stories260K', messages: 'hello' }), 400, 'messages'],
    ['message without role', JSON.stringify({ model: 'stories260K', messages: [{ content: 'x' }] }), 400, 'messages.0.role'],
    ['temperature as a string', JSON.stringify({ model: 'stories260K', temperature: 'hot', messages: [{ role: 'user', content: 'x' }] }), 400, 'temperature'],
    ['stream as a string', JSON.stringify({ model: 'stories260K', stream: 'yes', messages: [{ role: 'user', content: 'x' }] }), 400, 'stream'],
    ['fractional max_tokens', JSON.stringify({ model: 'stories260K', max_tokens: 1.5, messages: [{ role: 'user', content: 'x' }] }), 400, 'max_tokens'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"model":"stories260K","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]), 400, null],
    ['a body over the limit', JSON.stringify({ model: 'stories260K', messages: [{ role: 'user', content: 'x'.repeat(100_000) }] }), 413, null],
    ['an unknown model', JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), 404, 'model'],
  ];

  it.each(corpus)('answers %s with the right 4xx in the OpenAI envelope', async (_name, body, status, param) => {
    const r = await raw(t.url, body);
    expect(r.status).toBe(status);
    const env = JSON.parse(r.body) as Envelope;
    expect(typeof env.error.message).toBe('string');
    expect(env.error.message.length).toBeGreaterThan(5);
    if (param) expect(env.error.param).toBe(param);
  });

  it('passes unknown fields through to the engine (llama.cpp extensions such as cache_prompt)', async () => {
    const r = await raw(t.url, JSON.stringify({ ...JSON.parse(ok), cache_prompt: false, some_future_field: { a: 1 } }));
    expect(r.status).toBe(200);
  });

  it('refuses the wrong method and unknown /v1 routes', async () => {
    expect((await raw(t.url, '', {}, '/v1/chat/completions', 'GET')).status).toBe(405);
    expect((await raw(t.url, ok, {}, '/v1/unknown')).status).toBe(404);
  });

  it('keeps serving after the whole corpus', async () => {
    const r = await raw(t.url, ok);
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as { choices: unknown[] }).choices).toHaveLength(1);
  });

  it('exposes Prometheus metrics, its own and the engine’s, labelled by model', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/llama_orch_requests_total\{model="stories260K",route="\/v1\/chat\/completions",status="200",outcome="completed"\} \d+/);
    expect(text).toMatch(/llama_orch_completion_tokens_total\{model="stories260K"\} \d+/);
    expect(text).toMatch(/llama_orch_instance_state\{model="stories260K",instance="stories260K",state="ready"\} 1/);
    expect(text).toMatch(/llamacpp_tokens_predicted_total\{model="stories260K"\} \d+/);
    expect(text).toMatch(/llama_orch_instance_planned_bytes\{instance="stories260K",device="CPU"\} \d+/);
  });

  it('logs request metadata only, never the prompt or the completion', async () => {
    const secret = 'PATIENT-FILE-4711 confidential';
    const r = await raw(t.url, JSON.stringify({ model: 'stories260K', max_tokens: 8, messages: [{ role: 'user', content: secret }] }));
    const completion = (JSON.parse(r.body) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    await t.core.activity.flush();
    // Everything the core wrote: request log, audit log and the engines' own log files.
    const files = (readdirSync(t.dataDir, { recursive: true }) as string[]).map((f) => join(t.dataDir, f)).filter((f) => statSync(f).isFile());
    const all = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(all).not.toContain('PATIENT-FILE-4711');
    if (completion.trim().length > 3) expect(all).not.toContain(completion.trim());
    const line = all
      .split('\n')
      .filter((l) => l.includes('"route":"/v1/chat/completions"'))
      .at(-1)!;
    expect(JSON.parse(line)).toMatchObject({ model: 'stories260K', status: 200, outcome: 'completed', promptTokens: expect.any(Number), completionTokens: expect.any(Number) });
  });
  it('stores prompt and answer only when the user turns content logging on', async () => {
    t.core.settings.update({ privacy: { logContent: true } });
    try {
      const r = await raw(t.url, JSON.stringify({ model: 'stories260K', max_tokens: 8, messages: [{ role: 'user', content: 'OPT-IN-MARKER 42' }] }));
      const answer = (JSON.parse(r.body) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
      await t.core.activity.flush();
      const logs = join(t.dataDir, 'logs');
      const lines = readdirSync(logs)
        .filter((f) => f.startsWith('requests-'))
        .flatMap((f) => readFileSync(join(logs, f), 'utf8').trim().split('\n'));
      const rec = JSON.parse(lines.find((l) => l.includes('OPT-IN-MARKER'))!) as { content: { request: string; response: string } };
      expect(rec.content.request).toContain('OPT-IN-MARKER 42');
      expect(JSON.parse(rec.content.response).choices[0].message.content).toBe(answer);
    } finally {
      t.core.settings.update({ privacy: { logContent: false } });
    }
  });
});

describe('gateway auth', () => {
  let t: TestCore;
  let inference: string;
  let admin: string;
  beforeAll(async () => {
    t = await startTestCore({}, [{ id: 'stories260K' }]);
    inference = t.core.keys.create('office tools', 'inference').key;
    admin = t.core.keys.create('it admin', 'admin').key;
  });
  afterAll(() => t?.close());

  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

  it('needs a key for /v1 once a key exists, and rejects a wrong one', async () => {
    expect((await fetch(`${t.url}/v1/models`)).status).toBe(401);
    const wrong = await fetch(`${t.url}/v1/models`, { headers: bearer('lo-not-a-key') });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as Envelope).error.code).toBe('invalid_api_key');
    expect((await fetch(`${t.url}/v1/models`, { headers: bearer(inference) })).status).toBe(200);
  });

  it('refuses an inference key on the admin API with 403, and accepts an admin key', async () => {
    const r = await fetch(`${t.url}/api/v1/status`, { headers: bearer(inference) });
    expect(r.status).toBe(403);
    expect(((await r.json()) as Envelope).error.code).toBe('insufficient_scope');
    expect((await fetch(`${t.url}/api/v1/status`, { headers: bearer(admin) })).status).toBe(200);
  });

  it('manages keys through the admin API: create shows the key once, revoke makes it fail', async () => {
    const created = (await (
      await fetch(`${t.url}/api/v1/keys`, { method: 'POST', headers: { ...bearer(admin), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'excel', scope: 'inference' }) })
    ).json()) as { key: string; info: { id: string } };
    expect(created.key).toMatch(/^lo-/);
    const list = (await (await fetch(`${t.url}/api/v1/keys`, { headers: bearer(admin) })).json()) as { data: { id: string }[] };
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect((await fetch(`${t.url}/v1/models`, { headers: bearer(created.key) })).status).toBe(200);
    expect((await fetch(`${t.url}/api/v1/keys/${created.info.id}`, { method: 'DELETE', headers: bearer(admin) })).status).toBe(204);
    expect((await fetch(`${t.url}/v1/models`, { headers: bearer(created.key) })).status).toBe(401);
    const stored = readFileSync(join(t.dataDir, 'keys.json'), 'utf8');
    expect(stored).not.toContain(inference); // only hashes are stored
    await t.core.activity.flush();
    const audit = readFileSync(join(t.dataDir, 'logs', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; actor: string; detail: { status: number } });
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'POST /api/v1/keys', actor: 'key:' + t.core.keys.list().find((k) => k.name === 'it admin')!.id, detail: { status: 201 } }),
        expect.objectContaining({ action: `DELETE /api/v1/keys/${created.info.id}`, detail: { status: 204 } }),
      ]),
    );
    expect(JSON.stringify(audit)).not.toContain(created.key);
  });

  it('starts engines on loopback with a per-instance key that is not in the process list and is enforced', async () => {
    expect(
      (
        await fetch(`${t.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...bearer(inference), 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'stories260K', max_tokens: 2, messages: [{ role: 'user', content: 'hi' }] }),
        })
      ).status,
    ).toBe(200);
    const inst = t.core.supervisor.findByModel('stories260K')!;
    const cmdline = commandLineOf(inst.info().pid!);
    if (cmdline) {
      expect(cmdline.join(' ')).not.toContain(inst.apiKey);
      expect(cmdline[cmdline.indexOf('--host') + 1]).toBe('127.0.0.1');
      const keyFile = cmdline[cmdline.indexOf('--api-key-file') + 1]!;
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    } else console.warn('[skip] engine command line and key-file mode: no process table reader or POSIX modes on Windows');
    const engine = inst.baseUrl()!;
    expect((await fetch(`${engine}/v1/models`)).status).toBe(401);
    expect((await fetch(`${engine}/v1/models`, { headers: { authorization: `Bearer ${inst.apiKey}` } })).status).toBe(200);
  });

  it('rejects a foreign Host header (DNS rebinding) and a foreign Origin', async () => {
    const evil = await raw(t.url, '', { host: 'evil.example.com' }, '/v1/models', 'GET');
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body)).toMatchObject({ error: { code: 'host_not_allowed' } });
    const origin = await raw(t.url, '', { origin: 'https://evil.example.com', ...bearer(inference) }, '/v1/models', 'GET');
    expect(origin.status).toBe(403);
    t.core.settings.update({ api: { corsOrigins: ['https://intranet.example.com'] } });
    const pre = await raw(t.url, '', { origin: 'https://intranet.example.com', 'access-control-request-method': 'POST' }, '/v1/chat/completions', 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://intranet.example.com');
  });
});

describe('LAN binding', () => {
  it('refuses to listen beyond loopback without an API key, and allows it with one', async () => {
    const data = tempDir();
    try {
      const core = new Core({ dataDir: data.path, host: '0.0.0.0', port: 0 });
      await expect(core.listen()).rejects.toThrow(/without an API key/);
      core.keys.create('lan', 'inference');
      const url = await core.listen();
      expect((await fetch(`${url}/v1/models`)).status).toBe(401);
      await core.stop();
    } finally {
      data.cleanup();
    }
  });
});
