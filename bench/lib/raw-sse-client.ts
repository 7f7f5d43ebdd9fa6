// A lean load generator for streamed chat requests: plain TCP sockets, one per worker, kept alive
// where the server allows it (the gateway does; llama-server closes after every stream), HTTP/1.1
// framing by the app's own ResponseParser. fetch()/undici costs the load generator several times
// more CPU per token, and on a small machine that CPU is taken from the very processes being
// measured. Counts SSE events carrying `"content":"` (tokens) and the time to the first one.
import { connect, type Socket } from 'node:net';
import { ResponseParser } from '../../dist/electron/core/http/http1-response.js';

export interface StreamResult {
  status: number;
  ttftMs: number;
  tokens: number;
}

const MARK = '"content":"';

export class RawSseClient {
  private socket: Socket | null = null;
  /** Requests sent again after a kept-alive connection was found closed before any answer. */
  retries = 0;

  private readonly host: string;
  private readonly port: number;
  private readonly keepAlive: boolean;

  /** @param keepAlive reuse the connection between requests (llama-server closes it after every stream anyway) */
  constructor(host: string, port: number, keepAlive: boolean) {
    this.host = host;
    this.port = port;
    this.keepAlive = keepAlive;
  }

  async post(path: string, body: string, headers: Record<string, string>): Promise<StreamResult> {
    for (let attempt = 0; ; attempt++) {
      const reused = this.socket !== null;
      try {
        return await this.once(path, body, headers);
      } catch (err) {
        this.drop();
        if (!reused || attempt >= 3 || !(err instanceof StaleConnection)) throw err;
        this.retries++;
      }
    }
  }

  close(): void {
    this.drop();
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private async connection(): Promise<Socket> {
    if (this.keepAlive && this.socket && !this.socket.destroyed && this.socket.readyState === 'open') return this.socket;
    this.drop();
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
    this.socket = s;
    return s;
  }

  private async once(path: string, body: string, headers: Record<string, string>): Promise<StreamResult> {
    const t0 = performance.now();
    const s = await this.connection();
    const parser = new ResponseParser();
    let ttft = -1;
    let tokens = 0;
    let carry = ''; // the unfinished event at the end of the previous piece
    let answered = false;
    return new Promise<StreamResult>((resolve, reject) => {
      const cleanup = () => {
        s.off('data', onData).off('close', onClose).off('error', onError);
      };
      const finish = () => {
        cleanup();
        const ka = this.keepAlive && (parser.head?.headers.connection ?? '').toLowerCase() !== 'close' && !parser.closeDelimited;
        if (!ka) this.drop();
        resolve({ status: parser.head?.status ?? 0, ttftMs: ttft, tokens });
      };
      const onData = (chunk: Buffer) => {
        answered = true;
        let parts: Buffer[];
        try {
          parts = parser.push(chunk);
        } catch (err) {
          cleanup();
          return reject(err as Error);
        }
        for (const p of parts) {
          const events = (carry + p.toString('utf8')).split('\n\n');
          carry = events.pop()!;
          for (const ev of events) {
            if (!ev.includes(MARK)) continue;
            tokens++;
            if (ttft < 0) ttft = performance.now() - t0;
          }
        }
        if (parser.done) finish();
      };
      const onClose = () => {
        if (parser.end()) return finish();
        cleanup();
        reject(answered ? new Error('connection closed in the middle of an answer') : new StaleConnection());
      };
      const onError = () => {}; // 'close' follows
      s.on('data', onData).on('close', onClose).on('error', onError);
      let head = `POST ${path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${this.keepAlive ? '' : 'connection: close\r\n'}`;
      for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
      s.write(`${head}\r\n${body}`);
    });
  }
}

class StaleConnection extends Error {
  constructor() {
    super('a kept-alive connection was closed before the answer started');
  }
}
