// The gateway's HTTP client for llama-server: one plain TCP connection per request, the request
// written in one go, the answer parsed by ResponseParser and handed on read by read. Compared with
// node:http this removes a ClientRequest, an IncomingMessage and a Readable per request and most
// of the work per streamed token (bench/gateway.ts measures it).
//
// llama-server closes a connection after a streamed answer anyway, so connections are not pooled
// for reuse; instead spare connections are opened ahead of time — after each request takes one,
// up to GATEWAY_SPARE_CONNECTIONS per engine — which keeps connect() and the engine's accept (two
// thread wake-ups in the engine) off the time to first token, also when a batch of streams ends
// together and as many new requests arrive at once. The newest spare is used first, so spares a
// burst left behind stay idle until the engine closes them (its keep-alive timeout, 5 s) and the
// pool shrinks back to what the load needs; a closed spare is simply dropped. Each idle spare
// holds one of the engine's HTTP threads: engines/args.ts gives engines that many extra threads.
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { GATEWAY_SPARE_CONNECTIONS } from '../engines/args.js';
import { ResponseParser, type ResponseHead } from '../http/http1-response.js';

/** Where an engine or a remote upstream listens. */
export interface EngineAddress {
  host: string;
  port: number;
  /** HTTPS (a remote upstream): TLS with the system's CAs plus NODE_EXTRA_CA_CERTS, the name checked. */
  tls?: boolean;
}

export interface EngineRequest {
  method: string;
  /** Path and query, e.g. /v1/chat/completions */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ExchangeHandlers {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  /** The whole response arrived. */
  onEnd(): void;
  /**
   * The exchange failed. `retryable`: the connection was a spare that turned out closed at once,
   * before a single byte of answer came back — the engine cannot have handled the request, sending
   * it again on a fresh connection is safe.
   */
  onError(err: Error, retryable: boolean): void;
}

export interface Exchange {
  pause(): void;
  resume(): void;
  /** Drop the connection: the engine stops working on the request. */
  destroy(): void;
}

interface Spare {
  socket: Socket;
  /** performance.now() when it was opened: one near the engine's keep-alive timeout is not used. */
  openedAt: number;
  /** Our listeners on it: drop it from the pool when the engine closes it. */
  drop: () => void;
}

export class EngineConnections {
  /** Per engine address: connected (or connecting) sockets, newest last. */
  private readonly spares = new Map<string, Spare[]>();
  private closed = false;

  /**
   * Send `req` to the engine at `to`. `fresh` skips the spares (used for the one retry).
   */
  send(to: EngineAddress, req: EngineRequest, h: ExchangeHandlers, fresh = false): Exchange {
    const key = keyOf(to);
    const spare = fresh ? undefined : this.takeSpare(key);
    const reused = spare !== undefined;
    let socket: Socket;
    if (spare) {
      socket = spare.socket;
      // Only our own listeners: net.Socket keeps internal ones (e.g. for 'end').
      socket.off('error', spare.drop).off('end', spare.drop).off('close', spare.drop);
    } else {
      socket = open(to);
    }
    const ex = exchange(socket, `${isIP(to.host) === 6 ? `[${to.host}]` : to.host}:${to.port}`, req, h, reused);
    // The next request's connection, opened after this one is on its way.
    if (!this.closed) setImmediate(() => this.refill(to, key));
    return ex;
  }

  /** The newest spare still open both ways (one the engine half-closed is dropped, not used). */
  private takeSpare(key: string): Spare | undefined {
    const list = this.spares.get(key);
    for (let s = list?.pop(); s; s = list?.pop()) {
      const fresh = performance.now() - s.openedAt < SPARE_MAX_AGE_MS;
      if (fresh && !s.socket.destroyed && !s.socket.readableEnded && s.socket.readyState !== 'readOnly' && s.socket.readyState !== 'writeOnly') return s;
      s.drop();
    }
    return undefined;
  }

  /** Spare connections currently held for the engine at `to`. */
  spareCount(to: EngineAddress): number {
    return this.spares.get(keyOf(to))?.length ?? 0;
  }

  /** Close every spare (the core is stopping). */
  destroy(): void {
    this.closed = true;
    for (const list of this.spares.values()) for (const s of list) s.socket.destroy();
    this.spares.clear();
  }

  private refill(to: EngineAddress, key: string): void {
    let list = this.spares.get(key);
    if (this.closed || (list && list.length >= GATEWAY_SPARE_CONNECTIONS)) return;
    if (!list) this.spares.set(key, (list = []));
    const s = open(to);
    const spare: Spare = {
      socket: s,
      openedAt: performance.now(),
      drop: () => {
        const l = this.spares.get(key);
        const i = l ? l.indexOf(spare) : -1;
        if (i >= 0) l!.splice(i, 1);
        if (l && l.length === 0) this.spares.delete(key);
        s.destroy();
      },
    };
    s.on('error', spare.drop).on('end', spare.drop).on('close', spare.drop);
    // A spare never holds the process open on its own.
    s.unref();
    list.push(spare);
  }
}

/**
 * On loopback a close that crossed our write is reported within microseconds; the window is wide
 * for a loaded event loop. An engine that dies this soon after a request arrived is gone: sending
 * the request again costs nothing and the client hears "the engine stopped".
 */
const RETRY_WINDOW_MS = 250;
/** llama-server closes an idle connection after 5 s: a spare this old is dropped rather than raced. */
const SPARE_MAX_AGE_MS = 4_000;

function keyOf(to: EngineAddress): string {
  return `${to.tls ? 'https' : 'http'}://${to.host}:${to.port}`;
}

function open(to: EngineAddress): Socket {
  if (!to.tls) return connect({ host: to.host, port: to.port, noDelay: true });
  // Writes made before the handshake completes are held by the TLS socket and sent after it.
  const socket = connectTls({ host: to.host, port: to.port, servername: isIP(to.host) ? undefined : to.host, ALPNProtocols: ['http/1.1'] });
  socket.setNoDelay(true);
  return socket;
}

function exchange(socket: Socket, hostHeader: string, req: EngineRequest, h: ExchangeHandlers, reused: boolean): Exchange {
  socket.ref();
  const parser = new ResponseParser(req.method === 'HEAD');
  let finished = false;
  let answered = false;
  const sentAt = performance.now();
  const finish = (err?: Error) => {
    if (finished) return;
    finished = true;
    // Only a spare that failed at once can have been closed by the engine before our request
    // arrived (its keep-alive close crossing our write). A later failure means the engine may have
    // received and be working on the request (then it died): sending it again is not safe.
    const retryable = reused && !answered && performance.now() - sentAt < RETRY_WINDOW_MS;
    // The client hears of the end first; closing the connection (a syscall) comes after.
    if (err) h.onError(err, retryable);
    else h.onEnd();
    socket.destroy();
  };
  socket.on('data', (chunk: Buffer) => {
    if (finished) return;
    answered = true;
    let parts: Buffer[];
    const hadHead = parser.head !== null;
    try {
      parts = parser.push(chunk);
    } catch (err) {
      return finish(err as Error);
    }
    if (!hadHead && parser.head) h.onHead(parser.head);
    for (const p of parts) {
      if (finished) return;
      h.onBody(p);
    }
    if (parser.done) finish();
  });
  socket.on('end', () => {
    if (parser.end()) finish();
    else finish(new Error(answered ? 'the engine closed the connection before the answer was complete' : 'socket hang up'));
  });
  socket.on('error', (err) => finish(err));
  socket.on('close', () => finish(new Error('socket closed')));

  let head = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${hostHeader}\r\nconnection: close\r\ncontent-length: ${req.body.length}\r\n`;
  for (const [name, value] of Object.entries(req.headers)) if (!/[\r\n]/.test(value)) head += `${name}: ${value}\r\n`;
  socket.cork();
  socket.write(`${head}\r\n`, 'latin1');
  if (req.body.length) socket.write(req.body);
  socket.uncork();

  return {
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    destroy: () => {
      finished = true;
      socket.destroy();
    },
  };
}
