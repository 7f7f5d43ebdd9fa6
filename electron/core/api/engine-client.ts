// The gateway's HTTP client for llama-server: one plain TCP connection per request, the request
// written in one go, the answer parsed by ResponseParser and handed on read by read. Compared with
// node:http this removes a ClientRequest, an IncomingMessage and a Readable per request and most
// of the work per streamed token (bench/gateway.ts measures it).
//
// llama-server closes a connection after a streamed answer anyway, so connections are not pooled
// for reuse; instead one spare connection per engine is opened ahead of time (after each request
// takes one), which keeps connect() and the engine's accept off the time to first token. An idle
// spare is closed by the engine after its keep-alive timeout and simply dropped.
import { connect, type Socket } from 'node:net';
import { ResponseParser, type ResponseHead } from './http1-response.js';

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
   * The exchange failed. `retryable`: the connection was a spare that turned out closed before a
   * single byte of answer came back — the engine never handled the request, sending it again on a
   * fresh connection is safe.
   */
  onError(err: Error, retryable: boolean): void;
}

export interface Exchange {
  pause(): void;
  resume(): void;
  /** Drop the connection: the engine stops working on the request. */
  destroy(): void;
}

export class EngineConnections {
  /** Per engine address: a connected (or connecting) socket and the listener that drops it. */
  private readonly spares = new Map<string, { socket: Socket; drop: () => void }>();
  private closed = false;

  /**
   * Send `req` to the engine at host:port. `fresh` skips the spare (used for the one retry).
   */
  send(host: string, port: number, req: EngineRequest, h: ExchangeHandlers, fresh = false): Exchange {
    const key = `${host}:${port}`;
    const spare = fresh ? undefined : this.spares.get(key);
    const reused = spare !== undefined;
    let socket: Socket;
    if (spare) {
      this.spares.delete(key);
      socket = spare.socket;
      // Only our own listeners: net.Socket keeps internal ones (e.g. for 'end').
      socket.off('error', spare.drop).off('end', spare.drop).off('close', spare.drop);
    } else {
      socket = open(host, port);
    }
    const ex = exchange(socket, key, req, h, reused);
    // The next request's connection, opened after this one is on its way.
    if (!this.closed) setImmediate(() => this.refill(host, port, key));
    return ex;
  }

  /** Close every spare (the core is stopping). */
  destroy(): void {
    this.closed = true;
    for (const s of this.spares.values()) s.socket.destroy();
    this.spares.clear();
  }

  private refill(host: string, port: number, key: string): void {
    if (this.closed || this.spares.has(key)) return;
    const s = open(host, port);
    const drop = () => {
      if (this.spares.get(key)?.socket === s) this.spares.delete(key);
      s.destroy();
    };
    s.on('error', drop).on('end', drop).on('close', drop);
    // A spare never holds the process open on its own.
    s.unref();
    this.spares.set(key, { socket: s, drop });
  }
}

function open(host: string, port: number): Socket {
  return connect({ host, port, noDelay: true });
}

function exchange(socket: Socket, hostHeader: string, req: EngineRequest, h: ExchangeHandlers, reused: boolean): Exchange {
  socket.ref();
  const parser = new ResponseParser(req.method === 'HEAD');
  let finished = false;
  let answered = false;
  const finish = (err?: Error) => {
    if (finished) return;
    finished = true;
    // The client hears of the end first; closing the connection (a syscall) comes after.
    if (err) h.onError(err, reused && !answered);
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
