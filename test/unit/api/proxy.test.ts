// proxyToEngine between a real HTTP client and a scripted engine on 127.0.0.1: the cases a real
// llama-server produces only by chance (a spare connection it closed just as a request was sent on
// it, an answer cut mid-event) are played on purpose here.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineConnections } from '../../../electron/core/api/engine-client.js';
import { readBody } from '../../../electron/core/http/http.js';
import { proxyToEngine, type ProxyOutcome } from '../../../electron/core/api/proxy.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

const SSE_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

/** An engine scripted per connection (index in accept order), once a whole request arrived. */
async function engine(answer: (socket: Socket, index: number) => void): Promise<{ port: number; accepted: () => number }> {
  let n = 0;
  const server: Server = createServer((socket) => {
    const index = n++;
    let got = '';
    socket.on('error', () => {});
    socket.on('data', (d) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end >= 0 && got.length >= end + 4 + Number(/content-length: (\d+)/i.exec(got)?.[1] ?? 0)) answer(socket, index);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  return { port: (server.address() as { port: number }).port, accepted: () => n };
}

/** A gateway-like server that proxies every request to the engine; outcomes are collected. */
async function gateway(enginePort: number): Promise<{ url: string; outcomes: ProxyOutcome[] }> {
  const connections = new EngineConnections();
  const outcomes: ProxyOutcome[] = [];
  const server: HttpServer = createHttpServer((req, res) => {
    void readBody(req).then((body) =>
      proxyToEngine(req, res, { baseUrl: `http://127.0.0.1:${enginePort}`, apiKey: 'k' }, '/v1/chat/completions', body, { connections, headers: { 'x-request-id': 'r' } }).then((o) =>
        outcomes.push(o),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    connections.destroy();
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, outcomes };
}

const post = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"stream":true}' });

describe('proxyToEngine', () => {
  it('sends a request again on a fresh connection when the spare it took was already closed by the engine', async () => {
    // Connection 1 is the spare opened after the first request: this engine drops it unanswered.
    const e = await engine((s, i) => (i === 1 ? s.destroy() : s.end(SSE_HEAD + chunk(`data: answer ${i}\n\n`) + '0\r\n\r\n')));
    const g = await gateway(e.port);
    expect(await (await post(g.url)).text()).toBe('data: answer 0\n\n');
    for (let i = 0; i < 100 && e.accepted() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const second = await post(g.url);
    expect(second.status).toBe(200);
    // Answered on a later connection (the retry's fresh one; connection 2 may be the next spare).
    expect(await second.text()).toMatch(/^data: answer [23]\n\n$/);
    expect(g.outcomes.map((o) => o.outcome)).toEqual(['completed', 'completed']);
  });

  it('forwards whole events only, then a final error event, when the engine dies mid-event', async () => {
    const e = await engine((s) => {
      s.write(SSE_HEAD + chunk('data: {"n":1}\n\n') + chunk('data: {"n":'));
      setTimeout(() => s.destroy(), 30);
    });
    const g = await gateway(e.port);
    const text = await (await post(g.url)).text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events[0]).toBe('data: {"n":1}');
    expect(JSON.parse(events[1]!.slice('data: '.length))).toMatchObject({ error: { code: 'engine_failed' } });
    expect(events).toHaveLength(2); // the half event never reached the client
    expect(g.outcomes[0]!.outcome).toBe('engine_failed');
  });

  it('stops reading from the engine while the client does not read (a slow client costs no memory)', async () => {
    const EVENT = `data: {"x":"${'y'.repeat(1000)}"}\n\n`;
    const TOTAL = 256 * 1024 * 1024;
    let written = 0;
    const e = await engine((s) => {
      s.write(SSE_HEAD);
      const pump = () => {
        while (written < TOTAL) {
          written += EVENT.length;
          if (!s.write(chunk(EVENT))) return void s.once('drain', pump);
        }
        s.end('0\r\n\r\n');
      };
      pump();
    });
    const g = await gateway(e.port);
    // A client that sends its request and then does not read.
    const { connect } = await import('node:net');
    const client = connect(Number(new URL(g.url).port), '127.0.0.1');
    client.pause();
    client.write('POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
    await new Promise((r) => setTimeout(r, 1500));
    const writtenWhilePaused = written;
    // Only socket buffers' worth got out of the engine (loopback buffers grow to a few MiB each).
    expect(writtenWhilePaused).toBeLessThan(48 * 1024 * 1024);
    // Reading now gets every event, in full.
    let received = 0;
    let events = 0;
    let tail = '';
    client.on('data', (d: Buffer) => {
      received += d.length;
      const text = tail + d.toString('latin1');
      const parts = text.split('\n\n');
      tail = parts.pop()!;
      events += parts.length;
    });
    client.resume();
    await new Promise<void>((r) => client.on('data', () => /\r\n0\r\n\r\n$/.test(tail) && r()));
    client.destroy();
    expect(written).toBe(Math.ceil(TOTAL / EVENT.length) * EVENT.length);
    expect(events).toBe(Math.ceil(TOTAL / EVENT.length));
    expect(received).toBeGreaterThan(TOTAL);
  }, 60_000);

  it('answers a non-streamed engine error with its status and reason in our envelope', async () => {
    const body = '{"error":{"code":400,"message":"bad","type":"invalid_request_error"}}';
    const e = await engine((s) => s.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
    const g = await gateway(e.port);
    const res = await post(g.url);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-request-id')).toBe('r');
    expect(await res.json()).toEqual({ error: { message: 'the engine rejected the request: bad', type: 'invalid_request_error', code: 'engine_rejected', param: null } });
    expect(g.outcomes[0]).toMatchObject({ status: 400, outcome: 'completed', streaming: false });
  });

  it('answers 502 naming the cause when no engine listens', async () => {
    const g = await gateway(1); // nothing listens on port 1
    const res = await post(g.url);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error).toMatchObject({ code: 'engine_unreachable', message: expect.stringMatching(/ECONNREFUSED/) });
    expect(g.outcomes[0]!.outcome).toBe('engine_failed');
  });

  it('never sends a non-streamed request twice when the engine dies while working on it', async () => {
    let requests = 0;
    // Connection 0 answers; connection 1 (the spare) gets the second request, which the engine
    // "works on" and then dies — it has received it, so it must not be sent again.
    const e = await engine((s, i) => {
      requests++;
      if (i === 0) return void s.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
      setTimeout(() => s.destroy(), 600);
    });
    const g = await gateway(e.port);
    const nonStreamed = () => fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect((await nonStreamed()).status).toBe(200);
    for (let i = 0; i < 100 && e.accepted() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const second = await nonStreamed();
    expect(second.status).toBe(502);
    expect(((await second.json()) as { error: { message: string } }).error.message).not.toMatch(/ECONNREFUSED/);
    expect(requests).toBe(2);
  });

  it('holds at most a small cap of a huge engine error body and says it was cut', async () => {
    let engineSawClose = false;
    const e = await engine((s) => {
      s.on('close', () => (engineSawClose = true));
      s.write('HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\n\r\n{"error":{"message":"');
      const piece = Buffer.alloc(1024 * 1024, 'x');
      const more = () => {
        while (!s.destroyed && s.write(piece));
        if (!s.destroyed) s.once('drain', more);
      };
      more();
    });
    const g = await gateway(e.port);
    const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text.length).toBeLessThan(4096);
    expect(JSON.parse(text).error.message).toMatch(/was cut/);
    for (let i = 0; i < 200 && !engineSawClose; i++) await new Promise((r) => setTimeout(r, 10));
    expect(engineSawClose).toBe(true); // the rest was never read: the connection was dropped
  });
});
