// Streaming as a contract, with the real engine: cancellation (client disconnect and explicit),
// an engine killed mid-stream, reproducible seeded output, 32 concurrent streams, queue limits.
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEIPT_HEADER, type Receipt } from '../../electron/contract/index.js';
import { chatContent, readSse } from '../helpers/engine.js';
import { engineSlots, startTestCore, type TestCore } from '../helpers/core.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';

const LONG = { model: 'stories260K', stream: true, max_tokens: 1900, ignore_eos: true, messages: [{ role: 'user', content: 'Once upon a time' }] };

function post(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: signal ?? null });
}

/** Read SSE chunks until `n` data events arrived; returns the reader for more. */
async function readEvents(res: Response, n: number): Promise<{ reader: ReadableStreamDefaultReader<Uint8Array>; text: string }> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  while ((text.match(/^data: /gm) ?? []).length < n) {
    const { done, value } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
  }
  return { reader, text };
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, text: string): Promise<string> {
  const dec = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done) return text;
    text += dec.decode(value, { stream: true });
  }
}

/** The engine's own account of where the last task stopped: `stop processing: n_tokens = N`. */
function lastStoppedAt(t: TestCore, model: string): number | null {
  const lines = t.core.supervisor
    .findByModel(model)!
    .tailLogs(500)
    .filter((l) => /stop processing: n_tokens = \d+/.test(l.text));
  const m = /n_tokens = (\d+)/.exec(lines.at(-1)?.text ?? '');
  return m ? Number(m[1]) : null;
}

describe('streaming through the gateway', () => {
  let t: TestCore;

  beforeAll(async () => {
    t = await startTestCore({}, [{ id: 'stories260K' }, { id: 'stories-repro', reproducible: true }]);
  });
  afterAll(() => t?.close());

  it('aborts the engine work when the client disconnects mid-stream', async () => {
    const ac = new AbortController();
    const res = await post(t.url, LONG, ac.signal);
    await readEvents(res, 5);
    ac.abort();
    await waitFor(async () => (await engineSlots(t.core, 'stories260K')).every((s) => !s.is_processing), 'engine slots to be idle');
    // The engine stopped far short of the 1900 tokens it was asked for.
    const stopped = await waitFor(() => lastStoppedAt(t, 'stories260K'), 'the engine to log the stop');
    expect(stopped).toBeLessThan(1900);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/llama_orch_cancellations_total\{model="stories260K",how="client_closed"\} 1/);
  });

  it('cancels a request explicitly: the stream ends with a final cancelled event, and cancel is idempotent', async () => {
    const res = await post(t.url, LONG);
    const id = res.headers.get('x-request-id')!;
    const { reader, text } = await readEvents(res, 3);
    const auth = { authorization: `Bearer ${t.core.auth.adminToken}` };
    const first = await fetch(`${t.url}/api/v1/requests/${id}/cancel`, { method: 'POST', headers: auth });
    expect(await first.json()).toEqual({ id, state: 'cancelling' });
    const all = await drain(reader, text);
    const last = all.trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.slice(6))).toMatchObject({ error: { code: 'cancelled' } });
    const again = await fetch(`${t.url}/api/v1/requests/${id}/cancel`, { method: 'POST', headers: auth });
    expect(await again.json()).toEqual({ id, state: 'cancelled' });
    expect((await fetch(`${t.url}/api/v1/requests/nope/cancel`, { method: 'POST', headers: auth })).status).toBe(404);
    await waitFor(async () => (await engineSlots(t.core, 'stories260K')).every((s) => !s.is_processing), 'engine slots to be idle');
  });

  it('ends the stream with an error event when the engine is killed mid-stream, then serves again', async () => {
    const inst = t.core.supervisor.findByModel('stories260K')!;
    const pid = inst.info().pid!;
    const res = await post(t.url, LONG);
    const { reader, text } = await readEvents(res, 3);
    process.kill(pid, 'SIGKILL');
    const all = await drain(reader, text);
    expect(all).toMatch(/"code":"engine_failed"/);
    expect(all).not.toMatch(/\[DONE\]/);
    await waitFor(() => inst.info().state === 'ready' && inst.info().pid !== pid, 'the engine to restart', 10_000);
    expect(inst.info().restarts).toBeGreaterThanOrEqual(1);
    const again = await readSse(await post(t.url, { ...LONG, max_tokens: 8 }));
    expect(again.done).toBe(true);
  });

  it('gives byte-identical content for a seeded request in reproducible mode, also after an engine restart', async () => {
    const body = { model: 'stories-repro', temperature: 1.0, seed: 1234, max_tokens: 64, messages: [{ role: 'user', content: 'Tell me a story' }] };
    const ask = async () => {
      const res = await post(t.url, body);
      const receipt = JSON.parse(res.headers.get(RECEIPT_HEADER)!) as Receipt;
      return { content: ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content, receipt };
    };
    const a = await ask();
    const b = await ask();
    expect(a.content.length).toBeGreaterThan(20);
    expect(b.content).toBe(a.content);
    await t.core.deployments.unload('stories-repro'); // stop the engine; the next request starts a new one
    const c = await ask();
    expect(c.content).toBe(a.content);
    expect(c.receipt).toMatchObject({
      model: 'stories-repro',
      slots: 1,
      reproducible: true,
      modelSha256: createHash('sha256').update(readFileSync(STORIES_MODEL)).digest('hex'),
      sampling: { temperature: 1, seed: 1234, max_tokens: 64 },
    });
    expect(c.receipt.engineVersion).toMatch(/\d/);
  });

  it('completes 32 concurrent streams in order, each identical to the same request sent alone', async () => {
    const starters = ['The dog ran', 'Lily had a red ball', 'Tom and Sue went to the park', 'The sun was hot', 'Once there was a frog', 'Mom baked a cake', 'The bird sang', 'A big truck'];
    const bodies = Array.from({ length: 32 }, (_, i) => ({ model: 'stories260K', stream: true, temperature: 0, max_tokens: 24, messages: [{ role: 'user', content: starters[i % 8] }] }));
    const sequential: string[] = [];
    for (const b of bodies.slice(0, 8)) sequential.push(chatContent((await readSse(await post(t.url, b))).events));
    expect(new Set(sequential).size).toBeGreaterThanOrEqual(4); // the prompts really lead to different stories
    const results = await Promise.all(bodies.map(async (b) => readSse(await post(t.url, b))));
    results.forEach((r, i) => {
      expect(r.done, r.raw.slice(-400)).toBe(true);
      expect(chatContent(r.events)).toBe(sequential[i % 8]);
      const finish = r.events.filter((e) => (e as { choices: { finish_reason: string | null }[] }).choices[0]?.finish_reason);
      expect(finish).toHaveLength(1); // exactly one final chunk: nothing duplicated
    });
  });

  it('refuses requests beyond the queue with 429 and Retry-After', async () => {
    t.core.settings.update({ gateway: { queueDepth: 1 } });
    try {
      const body = { ...LONG, model: 'stories-repro', max_tokens: 400 };
      const responses = await Promise.all(Array.from({ length: 5 }, () => post(t.url, body)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(2); // 1 slot + 1 queued
      const refused = responses.filter((r) => r.status === 429);
      expect(refused).toHaveLength(3);
      expect(refused[0]!.headers.get('retry-after')).toBe('1');
      expect(((await refused[0]!.json()) as { error: { code: string } }).error.code).toBe('queue_full');
      await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.text()));
    } finally {
      t.core.settings.update({ gateway: { queueDepth: 64 } });
    }
  });

  it('keeps the engine answering its health check while every slot streams and spare connections wait', async () => {
    // Each idle spare connection holds one of llama-server's HTTP threads; engines get one extra
    // thread per spare (engines/args.ts), else health checks would queue behind the spares.
    const short = { model: 'stories260K', stream: true, max_tokens: 4, messages: [{ role: 'user', content: 'Hi' }] };
    await Promise.all(Array.from({ length: 4 }, async () => (await post(t.url, short)).text())); // leaves spares behind
    const ac = new AbortController();
    try {
      const streams = await Promise.all(Array.from({ length: 4 }, () => post(t.url, LONG, ac.signal)));
      await Promise.all(streams.map((r) => readEvents(r, 3)));
      await new Promise((r) => setTimeout(r, 200)); // the spares are refilled
      // On a connection of its own (fetch would reuse a kept-alive one and its thread).
      const inst = t.core.supervisor.findByModel('stories260K')!;
      const health = await new Promise<number>((resolve, reject) => {
        const req = httpGet(`${inst.baseUrl()}/health`, { agent: false, timeout: 2000 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('timeout', () => req.destroy(new Error('the engine did not answer /health within 2 s')));
        req.on('error', reject);
      });
      expect(health).toBe(200);
      expect((await engineSlots(t.core, 'stories260K')).filter((s) => s.is_processing)).toHaveLength(4);
    } finally {
      ac.abort();
    }
    await waitFor(async () => (await engineSlots(t.core, 'stories260K')).every((s) => !s.is_processing), 'engine slots to be idle');
  });

  it('answers after the engine closed its idle spare connection (llama-server: 5 s keep-alive timeout)', async () => {
    const ask = async () => {
      const res = await post(t.url, { model: 'stories260K', stream: true, temperature: 0, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] });
      expect(res.status).toBe(200);
      const sse = await readSse(res);
      expect(sse.done).toBe(true);
      return chatContent(sse.events);
    };
    const first = await ask(); // leaves a spare connection to the engine behind
    expect(first.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 5600)); // the engine closes it now
    expect(await ask()).toBe(first);
  }, 15_000);
});

describe('cancel by owner', () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore();
  });
  afterAll(() => t?.close());

  it('lets the inference key that started a request cancel it, and refuses another inference key with 403', async () => {
    const owner = t.core.keys.create('office-tool', 'inference').key;
    const other = t.core.keys.create('someone-else', 'inference').key;
    const res = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${owner}` }, body: JSON.stringify(LONG) });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id')!;
    const { reader, text } = await readEvents(res, 3);
    const cancel = (key: string) => fetch(`${t.url}/api/v1/requests/${id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    const refused = await cancel(other);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'not_request_owner', message: expect.stringMatching(/started by another API key/) });
    expect(await (await cancel(owner)).json()).toEqual({ id, state: 'cancelling' });
    const last = (await drain(reader, text)).trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.slice(6))).toMatchObject({ error: { code: 'cancelled' } });
    expect((await cancel(other)).status).toBe(403); // also once it has ended
    expect(await (await cancel(owner)).json()).toEqual({ id, state: 'cancelled' });
  });
});
