// Remote upstreams with real processes: the upstream is a bare llama-server (the test engine) on its
// own port that needs an API key. Registered through the admin API, its model is listed and streamed
// through the gateway, a client that leaves frees the upstream's slot, the key never reaches a log or
// a file in plain text, and a stopped upstream opens the circuit (503 + Retry-After) while its alias
// fails over to a local deployment — until the upstream is back and a probe closes the circuit.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_ROUTE, RECEIPT_HEADER, type OpenAiModelList, type Receipt, type UpstreamView } from '../../electron/contract/index.js';
import { chatContent, postFresh, readSse, startDirectEngine, type DirectEngine } from '../helpers/engine.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
if (!hasUnzip) console.warn('upstreams: the diagnostics check is skipped, the `unzip` tool is not installed to read the bundle back');
const SECRET = 'sk-upstream-test-7f3a9c21e5b84d06';
const UPSTREAM_ARGS = ['-m', STORIES_MODEL, '--api-key', SECRET, '--alias', 'stories', '-np', '2', '-c', '8192', '--threads-http', '8'];
const SEEDED = { stream: true, max_tokens: 24, temperature: 0, seed: 42, messages: [{ role: 'user', content: 'Once upon a time' }] };
const LONG = { stream: true, max_tokens: 1900, ignore_eos: true, messages: [{ role: 'user', content: 'Once upon a time' }] };

/** The upstream's slots, asked with its key on a connection of its own. */
function upstreamSlots(url: string): Promise<{ id: number; is_processing: boolean }[]> {
  return new Promise((resolve, reject) => {
    const req = httpGet(`${url}/slots`, { agent: false, headers: { authorization: `Bearer ${SECRET}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`/slots answered ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
  });
}

/** Every file under a folder, as text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [{ path: p, text: readFileSync(p).toString('latin1') }];
  });
}

describe('remote upstreams', () => {
  let upstream: DirectEngine;
  let port: number;
  let t: TestCore;
  let admin: Record<string, string>;
  const chat = (body: unknown, signal?: AbortSignal) =>
    fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: signal ?? null });
  const view = async () => (await (await fetch(`${t.url}/api/v1/upstreams/office`, { headers: admin })).json()) as UpstreamView;

  beforeAll(async () => {
    upstream = await startDirectEngine(UPSTREAM_ARGS);
    port = Number(new URL(upstream.url).port);
    t = await startTestCore({}, [{ id: 'stories260K' }]);
    admin = { authorization: `Bearer ${t.core.auth.adminToken}`, 'content-type': 'application/json' };
  });
  afterAll(async () => {
    await t?.close();
    await upstream?.stop();
  });

  it('registers an upstream with a key that is never shown again, and refuses bad input naming the field', async () => {
    const bad = await fetch(`${t.url}/api/v1/upstreams`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'x', baseUrl: 'ftp://nowhere' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'baseUrl', code: 'invalid_value', type: 'invalid_request_error' } });
    const clash = await fetch(`${t.url}/api/v1/upstreams`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'x', baseUrl: upstream.url, aliases: { stories260K: 'stories' } }) });
    expect(clash.status).toBe(409);

    const res = await fetch(`${t.url}/api/v1/upstreams`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        name: 'office',
        baseUrl: upstream.url,
        apiKey: SECRET,
        aliases: { default: 'stories' },
        fallback: 'stories260K',
        healthIntervalSeconds: 1,
        failureThreshold: 2,
        openSeconds: 3,
      }),
    });
    const text = await res.text();
    expect(res.status).toBe(201);
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text)).toMatchObject({ name: 'office', baseUrl: `${upstream.url}/v1`, hasKey: true, prefix: 'office/', circuit: 'closed' });
    const again = await fetch(`${t.url}/api/v1/upstreams`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'office', baseUrl: upstream.url }) });
    expect(again.status).toBe(409);
  });

  it('lists the upstream models under its prefix and aliases, refreshed by the health check', async () => {
    const ids = await waitFor(
      async () => {
        const list = (await (await fetch(`${t.url}/v1/models`)).json()) as OpenAiModelList;
        const ids = list.data.map((m) => m.id);
        return ids.includes('office/stories') ? ids : null;
      },
      'the upstream model in /v1/models',
      30_000,
    );
    expect(ids).toEqual(expect.arrayContaining(['stories260K', 'default', 'office/stories']));
    const one = await fetch(`${t.url}/v1/models/office%2Fstories`);
    expect(await one.json()).toMatchObject({ id: 'office/stories', owned_by: 'upstream:office', state: 'loaded' });
    const unknown = await chat({ ...SEEDED, model: 'office/nope' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('office/stories');
  });

  it('streams through with the stored key, answers as the upstream does directly, and names the upstream in the receipt', async () => {
    const res = await chat({ ...SEEDED, model: 'office/stories' });
    expect(res.status).toBe(200);
    const receipt = JSON.parse(res.headers.get(RECEIPT_HEADER)!) as Receipt;
    expect(receipt).toMatchObject({ model: 'upstream:office', engine: 'upstream:office', upstream: { name: 'office', model: 'stories' } });
    const through = await readSse(res);
    expect(through.done).toBe(true);
    const direct = await postFresh(`${upstream.url}/v1/chat/completions`, { ...SEEDED, model: 'stories' });
    expect(direct.status).toBe(401); // the upstream needs its key: the gateway sent it
    const keyed = await postFresh(`${upstream.url}/v1/chat/completions`, { ...SEEDED, model: 'stories' }, { authorization: `Bearer ${SECRET}` });
    const expected = chatContent((await readSse(keyed)).events);
    expect(expected.length).toBeGreaterThan(0);
    expect(chatContent(through.events)).toBe(expected);
    // The alias reaches the same upstream model.
    const viaAlias = await chat({ ...SEEDED, model: 'default' });
    expect(chatContent((await readSse(viaAlias)).events)).toBe(expected);
  });

  it('aborts the upstream work when the client disconnects mid-stream: its slot goes idle', async () => {
    const ac = new AbortController();
    const res = await chat({ ...LONG, model: 'office/stories' }, ac.signal);
    const reader = res.body!.getReader();
    for (let seen = 0; seen < 5;) {
      const { done, value } = await reader.read();
      if (done) throw new Error('the stream ended before 5 events');
      seen += (
        Buffer.from(value)
          .toString('utf8')
          .match(/^data: /gm) ?? []
      ).length;
    }
    expect((await upstreamSlots(upstream.url)).some((s) => s.is_processing)).toBe(true);
    ac.abort();
    await waitFor(async () => (await upstreamSlots(upstream.url)).every((s) => !s.is_processing), 'the upstream slots to be idle', 30_000);
    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      return /llama_orch_cancellations_total\{model="upstream:office",how="client_closed"\} 1/.test(text) ? text : null;
    }, 'the cancellation in /metrics');
    expect(metrics).toMatch(/llama_orch_requests_total\{model="upstream:office",route="\/v1\/chat\/completions",status="200",outcome="completed"\}/);
  });

  it('holds an upstream to its maxConcurrent: beyond it (and the queue) a request gets 429 at once', async () => {
    const narrow = await fetch(`${t.url}/api/v1/upstreams`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'narrow', baseUrl: upstream.url, apiKey: SECRET, maxConcurrent: 1 }) });
    expect(narrow.status).toBe(201);
    t.core.settings.update({ gateway: { queueDepth: 0 } });
    const ac = new AbortController();
    try {
      const first = await chat({ ...LONG, model: 'narrow/stories' }, ac.signal);
      expect(first.status).toBe(200);
      await first.body!.getReader().read();
      const second = await chat({ ...SEEDED, model: 'narrow/stories' });
      expect(second.status).toBe(429);
      expect(await second.json()).toMatchObject({ error: { code: 'queue_full', type: 'rate_limit_error' } });
    } finally {
      ac.abort();
      t.core.settings.update({ gateway: { queueDepth: 64 } });
      await fetch(`${t.url}/api/v1/upstreams/narrow`, { method: 'DELETE', headers: admin });
    }
    await waitFor(async () => (await upstreamSlots(upstream.url)).every((s) => !s.is_processing), 'the upstream slots to be idle', 30_000);
  });

  it('keeps the key out of every log and file in the data dir, and audits the registration', async () => {
    await t.core.activity.flush();
    const files = filesUnder(t.dataDir);
    expect(files.some((f) => f.path.endsWith('upstreams.json'))).toBe(true);
    for (const f of files) expect(f.text.includes(SECRET), `${f.path} holds the key`).toBe(false);
    const audit = files.find((f) => f.path.endsWith('audit.jsonl'))!;
    expect(audit.text).toContain('upstream.add');
    // The request log and the operations store (reports) name the upstream as the deployment.
    expect(files.find((f) => /requests-.*\.jsonl$/.test(f.path))!.text).toContain('"model":"upstream:office"');
    t.core.store.flush();
    const rows = t.core.store.requests(0, Date.now() + 1000).filter((r) => r.deployment === 'upstream:office');
    expect(rows.some((r) => r.status === 200 && r.completionTokens !== null && r.completionTokens > 0)).toBe(true);
  });

  it.skipIf(!hasUnzip)('lists the upstream in the diagnostics bundle without its key', async () => {
    const res = await fetch(`${t.url}${DIAGNOSTICS_ROUTE}`, { headers: admin });
    expect(res.status).toBe(200);
    const zip = join(t.dataDir, '..', `${Date.now()}-upstream-diag.zip`);
    writeFileSync(zip, Buffer.from(await res.arrayBuffer()));
    try {
      const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
      expect(names).toContain('upstreams.json');
      expect(JSON.parse(execFileSync('unzip', ['-p', zip, 'upstreams.json'], { encoding: 'utf8' }))).toMatchObject([{ name: 'office', hasKey: true }]);
      for (const name of names) expect(execFileSync('unzip', ['-p', zip, name], { encoding: 'utf8' }).includes(SECRET), `${name} holds the key`).toBe(false);
    } finally {
      rmSync(zip, { force: true });
    }
  });

  it('opens the circuit when the upstream stops (503 + Retry-After), fails the alias over to the local deployment, and closes once it is back', async () => {
    await upstream.stop();
    const refused = await waitFor(
      async () => {
        const r = await chat({ ...SEEDED, stream: false, model: 'office/stories' });
        return r.status === 503 ? r : (await r.body?.cancel(), null);
      },
      'the circuit to open',
      30_000,
      200,
    );
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ error: { code: 'upstream_unavailable', type: 'server_error' } });
    expect((await view()).circuit).not.toBe('closed');
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/llama_orch_deployment_available\{deployment="upstream:office"\} 0/);

    const failover = await chat({ ...SEEDED, model: 'default' });
    expect(failover.status).toBe(200);
    expect(failover.headers.get('x-llama-orch-failover')).toContain('stories260K');
    expect((JSON.parse(failover.headers.get(RECEIPT_HEADER)!) as Receipt).model).toBe('stories260K');
    expect(chatContent((await readSse(failover)).events).length).toBeGreaterThan(0);

    upstream = await startDirectEngine(UPSTREAM_ARGS, undefined, port);
    await waitFor(async () => (await view()).circuit === 'closed', 'the circuit to close after a probe', 30_000, 200);
    const back = await chat({ ...SEEDED, model: 'office/stories' });
    expect(back.status).toBe(200);
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/llama_orch_deployment_available\{deployment="upstream:office"\} 1/);
    expect((await readSse(back)).done).toBe(true);
  });

  it("applies a key's allow-list to upstream models: /v1/models lists only the allowed, another is 403", async () => {
    const created = t.core.keys.create('office-only', 'inference', { models: ['office/stories'] });
    try {
      const auth = { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' };
      const list = (await (await fetch(`${t.url}/v1/models`, { headers: auth })).json()) as OpenAiModelList;
      expect(list.data.map((m) => m.id)).toEqual(['office/stories']);
      const denied = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ ...SEEDED, model: 'default' }) });
      expect(denied.status).toBe(403);
      expect(await denied.json()).toMatchObject({ error: { code: 'model_not_allowed', param: 'model' } });
      const allowed = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ ...SEEDED, model: 'office/stories' }) });
      expect(allowed.status).toBe(200);
      expect((await readSse(allowed)).done).toBe(true);
    } finally {
      t.core.keys.revoke(created.info.id);
    }
  });

  it('ends a request the upstream does not answer within its timeoutSeconds with 504, counted towards its circuit', async () => {
    // Fault injection: a server that accepts connections and never answers (a hung upstream).
    const sockets: Socket[] = [];
    const hole = createServer((s) => void sockets.push(s.on('error', () => undefined)));
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    try {
      const holeUrl = `http://127.0.0.1:${(hole.address() as AddressInfo).port}`;
      const add = await fetch(`${t.url}/api/v1/upstreams`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: 'hung', baseUrl: holeUrl, timeoutSeconds: 1, failureThreshold: 1, openSeconds: 60 }),
      });
      expect(add.status).toBe(201);
      const started = Date.now();
      const res = await chat({ ...SEEDED, stream: false, model: 'hung/anything' });
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ error: { code: 'upstream_timeout' } });
      expect(Date.now() - started).toBeLessThan(30_000);
      const next = await chat({ ...SEEDED, stream: false, model: 'hung/anything' });
      expect(next.status).toBe(503);
      expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(30);
    } finally {
      await fetch(`${t.url}/api/v1/upstreams/hung`, { method: 'DELETE', headers: admin });
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => hole.close(resolve));
    }
  });

  it('removes an upstream: its models leave /v1/models', async () => {
    expect((await fetch(`${t.url}/api/v1/upstreams/office`, { method: 'DELETE', headers: admin })).status).toBe(204);
    const list = (await (await fetch(`${t.url}/v1/models`)).json()) as OpenAiModelList;
    expect(list.data.map((m) => m.id)).toEqual(['stories260K']);
    expect((await fetch(`${t.url}/api/v1/upstreams/office`, { headers: admin })).status).toBe(404);
  });
});
