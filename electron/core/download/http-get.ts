// GET for large downloads over node:http/https with a 1 MiB read buffer. fetch() hands its body out
// in 64 KiB pieces through web streams; on loopback that costs about a third of the throughput of a
// download that is also hashed. Follows redirects as fetch does (Hugging Face `resolve/` answers 302
// to a CDN): at most 5, the request headers kept (Range included), credentials dropped when the
// redirect leaves the origin.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  statusText: string;
  /** A response header, or null when absent. */
  header(name: string): string | null;
  body: AsyncIterable<Uint8Array>;
  /** Stops the body and closes the connection. */
  discard(): void;
}

export class HttpGetError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpGetError';
  }
}

const MAX_REDIRECTS = 5;
const READ_BUFFER_BYTES = 1 << 20;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export async function httpGet(url: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<HttpAnswer> {
  let current = new URL(url);
  let sent = lowerCaseKeys(headers);
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(current, sent, signal);
    const location = res.headers.location;
    if (!REDIRECT_STATUS.has(res.statusCode ?? 0) || !location) return answer(res);
    res.destroy();
    if (hop >= MAX_REDIRECTS) throw new HttpGetError('too_many_redirects', `more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, current);
    if (next.origin !== current.origin) sent = Object.fromEntries(Object.entries(sent).filter(([k]) => !CREDENTIAL_HEADERS.includes(k)));
    current = next;
  }
}

function requestOnce(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new HttpGetError('unsupported_protocol', `unsupported protocol ${url.protocol}`));
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // highWaterMark (Node >= 20) sizes the socket's reads; @types/node does not list it yet.
    const options: RequestOptions & { highWaterMark: number } = { method: 'GET', headers, highWaterMark: READ_BUFFER_BYTES, ...(signal ? { signal } : {}) };
    const req = request(url, options, resolve);
    req.once('error', reject);
    req.end();
  });
}

function answer(res: IncomingMessage): HttpAnswer {
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? '',
    header(name) {
      const v = res.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
    body: everyByteOf(res),
    discard: () => res.destroy(),
  };
}

const QUEUE_HIGH_BYTES = 4 * READ_BUFFER_BYTES;

/**
 * The body, ending in the error of a cut connection only after every byte that arrived before the
 * cut. Node destroys an IncomingMessage whose connection closes early, and a destroyed stream drops
 * what it had buffered but not yet handed out: iterating `res` directly lost that tail (under load
 * the whole half of a cut download), so a resume started further back than it had to.
 */
function everyByteOf(res: IncomingMessage): AsyncIterable<Uint8Array> {
  // Listening starts now, not at the first read: a reader that comes late still gets every byte.
  const queue: Uint8Array[] = [];
  let queued = 0;
  let failure: Error | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const signal = () => {
    wake?.();
    wake = null;
  };
  const onData = (chunk: Uint8Array) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued > QUEUE_HIGH_BYTES) res.pause(); // backpressure: the socket is read no faster than we write
    signal();
  };
  const onEnd = () => {
    ended = true;
    signal();
  };
  const onError = (err: Error) => {
    failure = err;
    signal();
  };
  const onClose = () => {
    if (!ended && !failure) failure = new HttpGetError('aborted', 'the connection closed before the end of the body');
    signal();
  };
  res.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  async function* read(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          queued -= chunk.length;
          if (res.isPaused() && queued <= QUEUE_HIGH_BYTES / 2) res.resume();
          yield chunk;
          continue;
        }
        if (failure) throw failure;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      res.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (!ended) res.destroy(); // the reader stopped early
    }
  }
  return { [Symbol.asyncIterator]: read };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
