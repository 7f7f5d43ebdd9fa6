// An incremental HTTP/1.1 response parser for the gateway's own connections to llama-server.
// Node's http client (ClientRequest, IncomingMessage, a Readable per answer) costs more per
// streamed token than the whole rest of the gateway; this parser hands back the body bytes of a
// read as subarrays of that read (no copies in the common case). It understands what an HTTP/1.1
// server may send: Content-Length, chunked (extensions, trailers) and close-delimited bodies, and
// bodiless statuses. Anything malformed throws an Http1ParseError; the caller drops the connection.

export interface ResponseHead {
  status: number;
  /** Lower-case names; repeated headers joined with ", " (set-cookie is never needed here). */
  headers: Record<string, string>;
}

export class Http1ParseError extends Error {}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

type State =
  | { kind: 'head' }
  | { kind: 'length'; remaining: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; remaining: number }
  | { kind: 'chunk-crlf' }
  | { kind: 'trailers' }
  | { kind: 'close' }
  | { kind: 'done' };

export class ResponseParser {
  head: ResponseHead | null = null;
  private state: State = { kind: 'head' };
  /** Unconsumed bytes of a line-oriented state (head, chunk size line, trailers, chunk CRLF). */
  private pending: Buffer | null = null;

  /** @param bodiless the request was HEAD: the response has no body whatever its headers say. */
  constructor(private readonly bodiless = false) {}

  get done(): boolean {
    return this.state.kind === 'done';
  }

  /** Whether the body ends when the connection closes (no length, not chunked). */
  get closeDelimited(): boolean {
    return this.state.kind === 'close';
  }

  /** Feed the next bytes read; returns the body bytes they carry, in order. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (at < buf.length) {
      const s = this.state;
      switch (s.kind) {
        case 'head': {
          const end = buf.indexOf(HEAD_END, at);
          if (end < 0) return this.keep(buf, at, MAX_HEAD_BYTES, 'response head', out);
          this.head = parseHead(buf.toString('latin1', at, end));
          at = end + 4;
          this.state = this.bodyState(this.head);
          break;
        }
        case 'length':
        case 'chunk-data': {
          const n = Math.min(s.remaining, buf.length - at);
          out.push(buf.subarray(at, at + n));
          at += n;
          s.remaining -= n;
          if (s.remaining === 0) this.state = s.kind === 'length' ? { kind: 'done' } : { kind: 'chunk-crlf' };
          break;
        }
        case 'chunk-crlf': {
          if (buf.length - at < 2) return this.keep(buf, at, 2, 'chunk end', out);
          if (buf[at] !== 13 || buf[at + 1] !== 10) throw new Http1ParseError('chunk data is not followed by CRLF');
          at += 2;
          this.state = { kind: 'chunk-size' };
          break;
        }
        case 'chunk-size': {
          const end = buf.indexOf(CRLF, at);
          if (end < 0) return this.keep(buf, at, MAX_CHUNK_LINE, 'chunk size line', out);
          const line = buf.toString('latin1', at, end);
          const hex = (line.split(';', 1)[0] ?? '').trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new Http1ParseError(`bad chunk size line ${JSON.stringify(line.slice(0, 40))}`);
          const size = parseInt(hex, 16);
          at = end + 2;
          this.state = size === 0 ? { kind: 'trailers' } : { kind: 'chunk-data', remaining: size };
          break;
        }
        case 'trailers': {
          // Trailer fields (ignored), then an empty line.
          const end = buf.indexOf(CRLF, at);
          if (end < 0) return this.keep(buf, at, MAX_HEAD_BYTES, 'trailers', out);
          const empty = end === at;
          at = end + 2;
          if (empty) this.state = { kind: 'done' };
          break;
        }
        case 'close':
          out.push(at === 0 ? buf : buf.subarray(at));
          at = buf.length;
          break;
        case 'done':
          throw new Http1ParseError('bytes after the end of the response');
      }
    }
    return out;
  }

  /** The connection closed: true when the response was complete. */
  end(): boolean {
    if (this.state.kind === 'close') this.state = { kind: 'done' };
    return this.state.kind === 'done';
  }

  /** Keep the unconsumed rest of `buf` for the next read; returns the body bytes found so far. */
  private keep(buf: Buffer, at: number, limit: number, what: string, out: Buffer[]): Buffer[] {
    if (buf.length - at > limit) throw new Http1ParseError(`${what} longer than ${limit} bytes`);
    this.pending = at === 0 ? buf : buf.subarray(at);
    return out;
  }

  private bodyState(head: ResponseHead): State {
    const { status, headers } = head;
    if (status >= 100 && status < 200) throw new Http1ParseError(`unexpected interim response ${status}`);
    if (this.bodiless || status === 204 || status === 304) return { kind: 'done' };
    const te = headers['transfer-encoding'];
    if (te !== undefined) {
      if (
        te
          .toLowerCase()
          .split(',')
          .map((t) => t.trim())
          .at(-1) !== 'chunked'
      )
        throw new Http1ParseError(`unsupported transfer-encoding ${te}`);
      return { kind: 'chunk-size' };
    }
    const cl = headers['content-length'];
    if (cl !== undefined) {
      if (!/^\d{1,15}$/.test(cl)) throw new Http1ParseError(`bad content-length ${JSON.stringify(cl)}`);
      const n = Number(cl);
      return n === 0 ? { kind: 'done' } : { kind: 'length', remaining: n };
    }
    return { kind: 'close' };
  }
}

function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) throw new Http1ParseError(`bad status line ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Http1ParseError(`bad header line ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(m[1]), headers };
}
