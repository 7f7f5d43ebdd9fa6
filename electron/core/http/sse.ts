// Server-sent event streams for the admin API (events, log tails): headers, framing, heartbeats,
// and cleanup when the client goes away.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SseStream {
  send(data: unknown, event?: string): void;
  onClose(fn: () => void): void;
  close(): void;
}

export function openSse(req: IncomingMessage, res: ServerResponse, heartbeatMs = 15_000): SseStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  const closers: (() => void)[] = [];
  let closed = false;
  const timer = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
  timer.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    for (const fn of closers) fn();
  };
  req.on('close', finish);
  res.on('close', finish);
  return {
    send(data, event) {
      if (closed) return;
      res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn) {
      closers.push(fn);
    },
    close() {
      finish();
      res.end();
    },
  };
}
