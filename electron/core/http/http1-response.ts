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

/** Where the parser is: plain numbers and one counter rather than an object per state (no allocation per chunk). */
const S = { Head: 0, Length: 1, ChunkSize: 2, ChunkData: 3, ChunkCrlf: 4, Trailers: 5, Close: 6, Done: 7 } as const;
type State = (typeof S)[keyof typeof S];

export class ResponseParser {
  head: ResponseHead | null = null;
  private state: State = S.Head;
  /** Body bytes still to come in the current Length or ChunkData state. */
  private remaining = 0;
  /** Unconsumed bytes of a line-oriented state (head, chunk size line, trailers, chunk CRLF). */
  private pending: Buffer | null = null;

  /** @param bodiless the request was HEAD: the response has no body whatever its headers say. */
  constructor(private readonly bodiless = false) {}

  get done(): boolean {
    return this.state === S.Done;
  }

  /** Whether the body ends when the connection closes (no length, not chunked). */
  get closeDelimited(): boolean {
    return this.state === S.Close;
  }

  /** Feed the next bytes read; returns the body bytes they carry, in order. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (at < buf.length) {
      switch (this.state) {
        case S.Head: {
          const end = buf.indexOf(HEAD_END, at);
          if (end < 0) return this.keep(buf, at, MAX_HEAD_BYTES, 'response head', out);
          this.head = parseHead(buf.toString('latin1', at, end));
          at = end + 4;
          this.enterBody(this.head);
          break;
        }
        case S.Length:
        case S.ChunkData: {
          const n = Math.min(this.remaining, buf.length - at);
          out.push(at === 0 && n === buf.length ? buf : buf.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = this.state === S.Length ? S.Done : S.ChunkCrlf;
          break;
        }
        case S.ChunkCrlf: {
          if (buf.length - at < 2) return this.keep(buf, at, 2, 'chunk end', out);
          if (buf[at] !== 13 || buf[at + 1] !== 10) throw new Http1ParseError('chunk data is not followed by CRLF');
          at += 2;
          this.state = S.ChunkSize;
          break;
        }
        case S.ChunkSize: {
          const end = buf.indexOf(CRLF, at);
          if (end < 0) return this.keep(buf, at, MAX_CHUNK_LINE, 'chunk size line', out);
          const size = chunkSize(buf, at, end);
          at = end + 2;
          if (size === 0) this.state = S.Trailers;
          else {
            this.state = S.ChunkData;
            this.remaining = size;
          }
          break;
        }
        case S.Trailers: {
          // Trailer fields (ignored), then an empty line.
          const end = buf.indexOf(CRLF, at);
          if (end < 0) return this.keep(buf, at, MAX_HEAD_BYTES, 'trailers', out);
          const empty = end === at;
          at = end + 2;
          if (empty) this.state = S.Done;
          break;
        }
        case S.Close:
          out.push(at === 0 ? buf : buf.subarray(at));
          at = buf.length;
          break;
        case S.Done:
          throw new Http1ParseError('bytes after the end of the response');
      }
    }
    return out;
  }

  /** The connection closed: true when the response was complete. */
  end(): boolean {
    if (this.state === S.Close) this.state = S.Done;
    return this.state === S.Done;
  }

  /** Keep the unconsumed rest of `buf` for the next read; returns the body bytes found so far. */
  private keep(buf: Buffer, at: number, limit: number, what: string, out: Buffer[]): Buffer[] {
    if (buf.length - at > limit) throw new Http1ParseError(`${what} longer than ${limit} bytes`);
    this.pending = at === 0 ? buf : buf.subarray(at);
    return out;
  }

  private enterBody(head: ResponseHead): void {
    const { status, headers } = head;
    if (status >= 100 && status < 200) throw new Http1ParseError(`unexpected interim response ${status}`);
    if (this.bodiless || status === 204 || status === 304) {
      this.state = S.Done;
      return;
    }
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
      this.state = S.ChunkSize;
      return;
    }
    const cl = headers['content-length'];
    if (cl !== undefined) {
      if (!/^\d{1,15}$/.test(cl)) throw new Http1ParseError(`bad content-length ${JSON.stringify(cl)}`);
      const n = Number(cl);
      this.state = n === 0 ? S.Done : S.Length;
      this.remaining = n;
      return;
    }
    this.state = S.Close;
  }
}

/**
 * The size in a chunk size line `buf[from, end)`: 1–12 hex digits, optional spaces or tabs around
 * them, optional `;extensions` after. Read from the bytes (no string per chunk: one per streamed token).
 */
function chunkSize(buf: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
  let size = 0;
  let digits = 0;
  for (; i < end; i++, digits++) {
    const c = buf[i]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) break;
    size = size * 16 + d;
  }
  while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
  if (digits === 0 || digits > 12 || (i < end && buf[i] !== 59)) {
    throw new Http1ParseError(`bad chunk size line ${JSON.stringify(buf.toString('latin1', from, Math.min(end, from + 40)))}`);
  }
  return size;
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
