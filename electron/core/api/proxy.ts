// Forwards one request to an engine and streams its answer back unchanged: no buffering of whole
// responses, backpressure through pipe(), the upstream request aborted the moment the client goes
// away, and an engine that dies mid-stream ends the stream with an error event instead of a hang.
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ApiErrorEnvelope } from '../../contract/index.js';
import { HttpError } from '../util/errors.js';
import { sendError } from './http.js';

export const engineAgent = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 });

export interface ProxyTarget {
  baseUrl: string;
  apiKey: string;
}

export interface ProxyOutcome {
  status: number;
  /** Why the stream ended early: the client left, or the engine failed. */
  outcome: 'completed' | 'client_closed' | 'engine_failed';
}

const PASS_HEADERS = ['content-type', 'cache-control'];

export function proxyToEngine(
  req: IncomingMessage,
  res: ServerResponse,
  target: ProxyTarget,
  path: string,
  body: Buffer,
  extraHeaders: Record<string, string> = {},
): Promise<ProxyOutcome> {
  return new Promise((resolve) => {
    const url = new URL(path, target.baseUrl);
    let settled = false;
    const done = (o: ProxyOutcome) => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };

    const upstream = httpRequest(
      url,
      {
        method: req.method,
        agent: engineAgent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: `Bearer ${target.apiKey}`,
          accept: req.headers.accept ?? '*/*',
        },
      },
      (up) => {
        const headers: Record<string, string> = { ...extraHeaders };
        for (const name of PASS_HEADERS) {
          const v = up.headers[name];
          if (typeof v === 'string') headers[name] = v;
        }
        const streaming = (headers['content-type'] ?? '').startsWith('text/event-stream');
        if (streaming) headers['x-accel-buffering'] = 'no';
        res.writeHead(up.statusCode ?? 502, headers);
        if (streaming) res.flushHeaders();
        up.pipe(res, { end: false });
        up.on('end', () => {
          res.end();
          done({ status: up.statusCode ?? 502, outcome: 'completed' });
        });
        up.on('close', () => {
          if (up.complete) return;
          // The engine went away mid-answer (crash, kill). Tell the client in-band, then end.
          if (!res.destroyed && !res.writableEnded) {
            if (streaming) res.end(sseError('the engine stopped while answering this request', 'engine_failed'));
            else res.destroy();
          }
          done({ status: up.statusCode ?? 502, outcome: res.destroyed && clientGone ? 'client_closed' : 'engine_failed' });
        });
        up.on('error', () => {
          // handled by 'close'
        });
      },
    );

    let clientGone = false;
    const onClientClose = () => {
      if (res.writableFinished) return;
      clientGone = true;
      upstream.destroy(); // aborts the engine's work on this request
      done({ status: 499, outcome: 'client_closed' });
    };
    res.on('close', onClientClose);

    upstream.on('error', (err) => {
      if (clientGone) return;
      if (!res.headersSent) {
        sendError(res, new HttpError(502, `the engine did not answer: ${err.message}`, 'engine_error', 'engine_unreachable'));
      } else if (!res.writableEnded) {
        res.end();
      }
      done({ status: 502, outcome: 'engine_failed' });
    });
    upstream.end(body);
  });
}

export function sseError(message: string, code: string): string {
  const envelope: ApiErrorEnvelope = { error: { message, type: 'engine_error', code, param: null } };
  return `data: ${JSON.stringify(envelope)}\n\n`;
}
