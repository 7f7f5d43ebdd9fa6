// Forwards one request to an engine and streams its answer back unchanged: no buffering of whole
// responses, backpressure (the engine's connection pauses while the client's buffer is full), the upstream request aborted the moment the client goes
// away or the request is cancelled, and an engine that dies mid-stream ends the stream with an
// error event instead of a hang.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiErrorEnvelope, ApiErrorType } from '../../contract/index.js';
import { HttpError } from '../util/errors.js';
import { EngineConnections, type EngineAddress, type EngineRequest, type Exchange, type ExchangeHandlers } from './engine-client.js';
import { ENGINE_ERROR_BODY_CAP, engineErrorToHttp } from './engine-errors.js';
import { sendError } from '../http/http.js';

export interface ProxyTarget {
  /** Where to connect (scheme, host, port; a path is ignored). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; '' sends none (an upstream without a key). */
  apiKey: string;
  /** A remote upstream's base path ending in /v1: the route's `/v1` is replaced by it. */
  pathPrefix?: string;
  /** A remote upstream's own request timeout (instead of the gateway's). */
  timeoutMs?: number;
  /** Who answers, in error messages: 'the engine' (default) or e.g. "the upstream 'office'". */
  name?: string;
}

export type ProxyEnd = 'completed' | 'client_closed' | 'engine_failed' | 'cancelled' | 'timeout';

export interface ProxyOutcome {
  status: number;
  outcome: ProxyEnd;
  streaming: boolean;
  /** ms from sending the request to the first body byte of the answer. */
  firstByteMs: number | null;
  /** `performance.now()` when a streamed answer's first token (not a role-only event) went out. */
  firstTokenAt: number | null;
  /** The last bytes of the answer (usage and timings live there), at most TAIL_BYTES. */
  tail: string;
  /** The answer's first `captureBytes` bytes, when asked for (opt-in content logging). */
  captured: Buffer | null;
}

export interface ProxyOptions {
  headers?: Record<string, string>;
  /** Aborting ends the request: upstream destroyed, the client told in-band. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** The connections to engines (the gateway's, with spares opened ahead of requests). */
  connections: EngineConnections;
  /** Keep up to this many bytes of the answer (only when the user enabled content logging). */
  captureBytes?: number;
}

const PASS_HEADERS = ['content-type', 'cache-control'];
const TAIL_BYTES = 4096;

export function proxyToEngine(req: IncomingMessage, res: ServerResponse, target: ProxyTarget, path: string, body: Buffer, opts: ProxyOptions): Promise<ProxyOutcome> {
  return new Promise((resolve) => {
    const sentAt = performance.now();
    const address = addressOf(target.baseUrl);
    const who = target.name ?? 'the engine';
    let firstByteMs: number | null = null;
    let firstTokenAt: number | null = null;
    // The last two body pieces, kept by reference (no copying or decoding per piece): usage sits in
    // the final event, which may straddle two pieces.
    let last: Buffer | null = null;
    let previous: Buffer | null = null;
    const captured: Buffer[] | null = opts.captureBytes ? [] : null;
    let capturedBytes = 0;
    let streaming = false;
    let status = 502;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    // Streams are forwarded whole events at a time, so an early end (cancel, engine crash) never
    // leaves half an event in front of the final error event.
    let events: EventFramer | null = null;
    // A non-streamed engine error is held (up to a cap) and answered in our envelope, not forwarded.
    let errorBody: Buffer[] | null = null;
    let errorBytes = 0;
    const answerEngineError = (truncated: boolean) => {
      if (settled) return;
      const err = engineErrorToHttp(status, Buffer.concat(errorBody ?? []).subarray(0, ENGINE_ERROR_BODY_CAP), truncated);
      if (truncated) upstream.destroy();
      status = err.status;
      for (const [name, value] of Object.entries(opts.headers ?? {})) res.setHeader(name, value);
      sendError(res, err);
      done('completed');
    };

    const done = (outcome: ProxyEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      res.off('close', onClientClose);
      opts.signal?.removeEventListener('abort', onCancel);
      const tailBuf = previous && last ? Buffer.concat([previous, last]) : (last ?? Buffer.alloc(0));
      const tail = tailBuf.toString('utf8', Math.max(0, tailBuf.length - TAIL_BYTES));
      resolve({ status, outcome, streaming, firstByteMs, firstTokenAt, tail, captured: captured ? Buffer.concat(captured).subarray(0, opts.captureBytes) : null });
    };

    /** End the client's response early with a reason, in-band for streams. */
    const endEarly = (outcome: ProxyEnd, message: string, code: string, type: ApiErrorType, httpStatus: number) => {
      if (settled) return;
      upstream.destroy();
      if (!res.headersSent) {
        status = httpStatus;
        sendError(res, new HttpError(httpStatus, message, type, code));
      } else if (!res.writableEnded && !res.destroyed) {
        if (streaming) res.end(sseError(message, code, type));
        else res.destroy();
      }
      done(outcome);
    };

    // Backpressure: while the client's socket is full, stop reading from the engine (which then
    // blocks in send()); nothing piles up in the gateway.
    let waitingForDrain = false;
    const write = (data: Buffer) => {
      if (!res.write(data) && !waitingForDrain) {
        waitingForDrain = true;
        upstream.pause();
        res.once('drain', () => {
          waitingForDrain = false;
          upstream.resume();
        });
      }
    };

    const handlers: ExchangeHandlers = {
      onHead: (head) => {
        status = head.status;
        const headers: Record<string, string> = { ...opts.headers };
        for (const name of PASS_HEADERS) {
          const v = head.headers[name];
          if (v !== undefined) headers[name] = v;
        }
        streaming = (headers['content-type'] ?? '').startsWith('text/event-stream');
        if (status >= 400 && !streaming) {
          errorBody = [];
          return;
        }
        if (streaming) {
          headers['x-accel-buffering'] = 'no';
          events = new EventFramer();
        }
        // No flushHeaders(): the headers leave with the engine's first event, which follows at
        // once (one write instead of two per request).
        res.writeHead(status, headers);
      },
      onBody: (chunk) => {
        if (firstByteMs === null) firstByteMs = performance.now() - sentAt;
        if (errorBody) {
          errorBody.push(chunk);
          errorBytes += chunk.length;
          if (errorBytes > ENGINE_ERROR_BODY_CAP) answerEngineError(true);
          return;
        }
        previous = last;
        last = chunk;
        if (captured && capturedBytes < opts.captureBytes!) {
          captured.push(chunk);
          capturedBytes += chunk.length;
        }
        if (!events) return write(chunk);
        const out = events.push(chunk);
        if (!out) return;
        if (firstTokenAt === null && carriesToken(out)) firstTokenAt = performance.now();
        write(out);
      },
      onEnd: () => {
        if (settled) return;
        if (errorBody) return answerEngineError(false);
        res.end(events?.rest() ?? undefined);
        done('completed');
      },
      onError: (err, retryable) => {
        if (settled) return;
        // A spare connection the engine had already closed: it never saw the request, so sending it
        // once more on a fresh connection is safe.
        if (retryable && !res.headersSent && !retried) {
          retried = true;
          upstream = opts.connections.send(address, request, handlers, true);
          return;
        }
        if (res.headersSent) {
          // The engine went away mid-answer (crash, kill): tell the client in-band, then end.
          endEarly('engine_failed', `${who} stopped while answering this request`, 'engine_failed', 'engine_error', 502);
        } else if (retried && (err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
          // The retry found no engine: it stopped while the first attempt was on its way.
          endEarly('engine_failed', `${who} stopped before answering this request`, 'engine_failed', 'engine_error', 502);
        } else {
          endEarly('engine_failed', `${who} did not answer: ${err.message}`, 'engine_unreachable', 'engine_error', 502);
        }
      },
    };

    const request: EngineRequest = {
      method: req.method ?? 'POST',
      path,
      headers: target.apiKey
        ? { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}`, accept: req.headers.accept ?? '*/*' }
        : { 'content-type': 'application/json', accept: req.headers.accept ?? '*/*' },
      body,
    };

    const onClientClose = () => {
      if (res.writableFinished || settled) return;
      upstream.destroy(); // the engine stops working on this request
      done('client_closed');
    };
    res.on('close', onClientClose);

    const onCancel = () => endEarly('cancelled', 'the request was cancelled', 'cancelled', 'invalid_request_error', 409);
    let upstream: Exchange = { pause() {}, resume() {}, destroy() {} };
    let retried = false;
    if (opts.signal?.aborted) return onCancel();
    opts.signal?.addEventListener('abort', onCancel, { once: true });
    if (opts.timeoutMs) {
      timer = setTimeout(() => endEarly('timeout', `the engine did not finish within ${Math.round(opts.timeoutMs! / 1000)} s`, 'upstream_timeout', 'server_error', 504), opts.timeoutMs);
      timer.unref();
    }
    upstream = opts.connections.send(address, request, handlers);
  });
}

/** A generated piece of text in an SSE event (chat delta, completion text, reasoning), not an empty role event. */
const TOKEN_FIELD = /"(?:content|text|reasoning_content)":"[^"]/;

function carriesToken(events: Buffer): boolean {
  // latin1 is a cheap byte-for-byte decode: the pattern is ASCII, so no multi-byte handling is needed.
  return TOKEN_FIELD.test(events.toString('latin1'));
}

const addresses = new Map<string, EngineAddress>();

function addressOf(baseUrl: string): EngineAddress {
  let a = addresses.get(baseUrl);
  if (!a) {
    const u = new URL(baseUrl);
    const tls = u.protocol === 'https:';
    // An IPv6 literal comes bracketed in a URL; sockets want it bare.
    a = { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port) || (tls ? 443 : 80), tls };
    if (addresses.size > 256) addresses.clear();
    addresses.set(baseUrl, a);
  }
  return a;
}

export function sseError(message: string, code: string, type: ApiErrorType = 'engine_error'): string {
  const envelope: ApiErrorEnvelope = { error: { message, type, code, param: null } };
  return `data: ${JSON.stringify(envelope)}\n\n`;
}

const MAX_PENDING_EVENT_BYTES = 1024 * 1024;

/** Splits an SSE byte stream at event boundaries (a blank line); keeps the unfinished rest. */
export class EventFramer {
  private pending: Buffer | null = null;

  /** The complete events this chunk finishes (null when none), in order. */
  push(chunk: Buffer): Buffer | null {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const cut = buf.lastIndexOf('\n\n');
    if (cut < 0) {
      // No boundary in sight (a huge event, or not SSE framing after all): never buffer unboundedly.
      if (buf.length > MAX_PENDING_EVENT_BYTES) {
        this.pending = null;
        return buf;
      }
      this.pending = buf;
      return null;
    }
    if (cut + 2 === buf.length) {
      // The usual case, one whole event per read: handed on as it is, no new Buffer per event.
      this.pending = null;
      return buf;
    }
    this.pending = buf.subarray(cut + 2);
    return buf.subarray(0, cut + 2);
  }

  /** Whatever followed the last boundary (sent at a normal end of the stream). */
  rest(): Buffer | null {
    const r = this.pending;
    this.pending = null;
    return r;
  }
}
