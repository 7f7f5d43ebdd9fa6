// A real HTTP server on 127.0.0.1 that serves files with Range support, for download tests: it can
// cut the connection after N bytes, flip a byte, or ignore Range, to play a flaky mirror.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FileRoute {
  /** Local file to serve, or inline content. */
  file?: string;
  body?: Buffer | string;
  contentType?: string;
}

export interface Faults {
  /** Destroy the socket after sending this many body bytes (once per request while set). */
  cutAfterBytes?: number | null;
  /** XOR this body byte offset with 0xff. */
  corruptByteAt?: number | null;
  ignoreRange?: boolean;
}

export interface FileServer {
  url: string;
  routes: Map<string, FileRoute | ((req: IncomingMessage, res: ServerResponse) => void)>;
  faults: Faults;
  /** Requests seen, with their Range header. */
  log: { path: string; range: string | null }[];
  /** No faults and an empty log: a healthy mirror again (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export async function startFileServer(): Promise<FileServer> {
  const routes: FileServer['routes'] = new Map();
  const faults: Faults = {};
  const log: FileServer['log'] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    log.push({ path, range: req.headers.range ?? null });
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    if (typeof route === 'function') return route(req, res);
    serveRoute(req, res, route, faults);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    faults,
    log,
    reset: () => {
      for (const key of Object.keys(faults) as (keyof Faults)[]) delete faults[key];
      log.length = 0;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function serveRoute(req: IncomingMessage, res: ServerResponse, route: FileRoute, faults: Faults): void {
  const size = route.file ? statSync(route.file).size : Buffer.byteLength(route.body ?? '');
  let start = 0;
  let end = size - 1;
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const headers: Record<string, string | number> = { 'content-type': route.contentType ?? 'application/octet-stream', 'accept-ranges': 'bytes' };
  if (m && !faults.ignoreRange) {
    start = Number(m[1]);
    if (m[2]) end = Math.min(Number(m[2]), size - 1);
    if (start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
  } else {
    res.writeHead(200, { ...headers, 'content-length': size });
  }
  if (req.method === 'HEAD') return void res.end();
  const source = route.file ? createReadStream(route.file, { start, end }) : [Buffer.from(route.body ?? '').subarray(start, end + 1)];
  let sent = 0;
  const write = async () => {
    for await (const raw of source as AsyncIterable<Buffer>) {
      const chunk = Buffer.from(raw);
      if (faults.corruptByteAt != null && faults.corruptByteAt >= start + sent && faults.corruptByteAt < start + sent + chunk.length) {
        chunk[faults.corruptByteAt - start - sent]! ^= 0xff;
      }
      if (faults.cutAfterBytes != null && sent + chunk.length > faults.cutAfterBytes) {
        const part = chunk.subarray(0, Math.max(0, faults.cutAfterBytes - sent));
        if (part.length) await new Promise((r) => res.write(part, r));
        res.socket?.destroy();
        return;
      }
      sent += chunk.length;
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  };
  write().catch(() => res.destroy());
}
