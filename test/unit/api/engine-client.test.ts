// The gateway's client for engines, against a real TCP server on 127.0.0.1 that plays llama-server
// at the byte level (so every answer and every misbehaviour can be scripted).
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineConnections, type EngineRequest, type ExchangeHandlers } from '../../../electron/core/api/engine-client.js';
import type { ResponseHead } from '../../../electron/core/http/http1-response.js';

interface Conn {
  socket: Socket;
  received: string;
  closed: boolean;
}

/** A scripted engine: `answer` gets each connection once a whole request has arrived. */
async function engine(answer: (c: Conn, index: number) => void): Promise<{ port: number; conns: Conn[]; server: Server }> {
  const conns: Conn[] = [];
  const server = createServer((socket) => {
    const c: Conn = { socket, received: '', closed: false };
    const index = conns.push(c) - 1;
    openSockets.push(socket);
    socket.on('data', (d) => {
      c.received += d.toString('latin1');
      const end = c.received.indexOf('\r\n\r\n');
      const len = Number(/content-length: (\d+)/i.exec(c.received)?.[1] ?? 0);
      if (end >= 0 && c.received.length >= end + 4 + len) answer(c, index);
    });
    socket.on('close', () => (c.closed = true));
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as { port: number }).port, conns, server };
}

const servers: Server[] = [];
const pools: EngineConnections[] = [];
const openSockets: Socket[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) p.destroy();
  // Also the connections a failed test left in the middle of an answer (server.close waits for them).
  for (const s of openSockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function pool(): EngineConnections {
  const p = new EngineConnections();
  pools.push(p);
  return p;
}

interface Result {
  head: ResponseHead | null;
  body: string;
  error: Error | null;
  retryable: boolean | null;
}

function send(p: EngineConnections, port: number, req: Partial<EngineRequest> = {}, fresh = false): Promise<Result> {
  return new Promise((resolve) => {
    const r: Result = { head: null, body: '', error: null, retryable: null };
    const h: ExchangeHandlers = {
      onHead: (head) => (r.head = head),
      onBody: (chunk) => (r.body += chunk.toString('latin1')),
      onEnd: () => resolve(r),
      onError: (err, retryable) => {
        r.error = err;
        r.retryable = retryable;
        resolve(r);
      },
    };
    p.send(
      { host: '127.0.0.1', port },
      { method: 'POST', path: '/v1/chat/completions', headers: { authorization: 'Bearer k', 'x-request-id': 'req-1' }, body: Buffer.from('{"a":1}'), ...req },
      h,
      fresh,
    );
  });
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

const SSE_ANSWER = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nb\r\ndata: one\n\n\r\n0\r\n\r\n';

describe('EngineConnections', () => {
  it('writes one well-formed request and reads the chunked answer', async () => {
    const e = await engine((c) => c.socket.end(SSE_ANSWER));
    const r = await send(pool(), e.port);
    expect(r.error).toBeNull();
    expect(r.head?.status).toBe(200);
    expect(r.body).toBe('data: one\n\n');
    const req = e.conns[0]!.received;
    expect(req.startsWith('POST /v1/chat/completions HTTP/1.1\r\n')).toBe(true);
    expect(req).toContain(`host: 127.0.0.1:${e.port}\r\n`);
    expect(req).toContain('connection: close\r\n');
    expect(req).toContain('content-length: 7\r\n');
    expect(req).toContain('authorization: Bearer k\r\n');
    expect(req.endsWith('\r\n\r\n{"a":1}')).toBe(true);
  });

  it('opens a spare connection after each request and sends the next request on it', async () => {
    const e = await engine((c) => c.socket.end(SSE_ANSWER));
    const p = pool();
    await send(p, e.port);
    await until(() => e.conns.length === 2); // the spare, connected before any second request
    expect(e.conns[1]!.received).toBe('');
    await send(p, e.port);
    expect(e.conns[1]!.received).toContain('POST /v1/chat/completions');
    await until(() => e.conns.length === 3);
  });

  it('keeps up to four spares after a burst, uses the newest first, and does not refill beyond', async () => {
    // Streams batched together end together: the next burst finds connections already open.
    let answer = true;
    const e = await engine((c) => (answer ? c.socket.end(SSE_ANSWER) : undefined));
    const p = pool();
    await Promise.all(Array.from({ length: 6 }, () => send(p, e.port)));
    await until(() => p.spareCount({ host: '127.0.0.1', port: e.port }) === 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(e.conns.length).toBe(6 + 4);
    const spares = e.conns.slice(6);
    expect(spares.every((c) => c.received === '' && !c.closed)).toBe(true);
    answer = false; // requests stay unanswered, so the connections used are not closed
    const exchanges = Array.from({ length: 5 }, (_, i) =>
      p.send({ host: '127.0.0.1', port: e.port }, { method: 'POST', path: `/r${i}`, headers: {}, body: Buffer.from('{}') }, { onHead: () => {}, onBody: () => {}, onEnd: () => {}, onError: () => {} }),
    );
    await until(() => e.conns.filter((c) => c.received.includes('POST /r')).length === 5);
    // Four went out on the spares, newest first; the fifth needed a connection of its own.
    expect(spares.map((c) => /POST (\/r\d)/.exec(c.received)?.[1])).toEqual(['/r3', '/r2', '/r1', '/r0']);
    expect(e.conns[10]!.received).toContain('POST /r4');
    // Refilled to four again, no more.
    await until(() => p.spareCount({ host: '127.0.0.1', port: e.port }) === 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(e.conns.length).toBe(11 + 4);
    for (const x of exchanges) x.destroy();
  });

  it('drops a spare the engine closed (its keep-alive timeout) and connects afresh', async () => {
    // This engine closes every connection that is idle for 30 ms, like llama-server after 5 s.
    const e = await engine((c) => c.socket.end(SSE_ANSWER));
    e.server.on('connection', (s) => {
      const t = setTimeout(() => s.destroy(), 30);
      s.once('data', () => clearTimeout(t));
    });
    const p = pool();
    await send(p, e.port);
    await until(() => e.conns.length === 2 && e.conns[1]!.closed);
    await new Promise((r) => setTimeout(r, 20)); // the client sees the close too
    const r = await send(p, e.port);
    expect(r.error).toBeNull();
    expect(r.body).toBe('data: one\n\n');
    expect(e.conns[2]!.received).toContain('POST');
  });

  it('calls a failure on a spare that closes without answering retryable; on a fresh connection not', async () => {
    const e = await engine((c, i) => (i === 0 ? c.socket.end(SSE_ANSWER) : c.socket.destroy()));
    const p = pool();
    await send(p, e.port);
    await until(() => e.conns.length === 2);
    const onSpare = await send(p, e.port);
    expect(onSpare.error).not.toBeNull();
    expect(onSpare.retryable).toBe(true);
    const fresh = await send(p, e.port, {}, true);
    expect(fresh.error).not.toBeNull();
    expect(fresh.retryable).toBe(false);
  });

  it('fails, not retryable, when the engine stops in the middle of an answer', async () => {
    const e = await engine((c) => {
      c.socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nb\r\ndata: one\n\n\r\n');
      setTimeout(() => c.socket.destroy(), 20);
    });
    const r = await send(pool(), e.port, {}, true);
    expect(r.head?.status).toBe(200);
    expect(r.body).toBe('data: one\n\n');
    expect(r.error?.message).toMatch(/before the answer was complete|socket/);
    expect(r.retryable).toBe(false);
  });

  it('fails on a malformed answer', async () => {
    const e = await engine((c) => c.socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n'));
    const r = await send(pool(), e.port, {}, true);
    expect(r.error?.message).toMatch(/bad chunk size/);
  });

  it('destroy() of an exchange closes its connection (the engine stops working on it)', async () => {
    const e = await engine((c) => c.socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n'));
    const p = pool();
    const ex = p.send(
      { host: '127.0.0.1', port: e.port },
      { method: 'POST', path: '/x', headers: {}, body: Buffer.from('{}') },
      { onHead: () => ex.destroy(), onBody: () => {}, onEnd: () => {}, onError: () => {} },
      true,
    );
    await until(() => e.conns[0]?.closed === true);
  });

  it('destroy() of the pool closes its spares and opens no more', async () => {
    const e = await engine((c) => c.socket.end(SSE_ANSWER));
    const p = pool();
    await send(p, e.port);
    await until(() => e.conns.length === 2);
    p.destroy();
    await until(() => e.conns[1]!.closed);
    await new Promise((r) => setTimeout(r, 50));
    expect(e.conns.length).toBe(2);
  });

  it('leaves out a header value that would break the request head', async () => {
    const e = await engine((c) => c.socket.end(SSE_ANSWER));
    await send(pool(), e.port, { headers: { 'x-ok': 'fine', 'x-evil': 'a\r\nx-injected: 1' } }, true);
    expect(e.conns[0]!.received).toContain('x-ok: fine\r\n');
    expect(e.conns[0]!.received).not.toContain('x-injected');
  });
});
