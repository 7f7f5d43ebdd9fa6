// Serves the built renderer (dist/renderer) with an SPA fallback to index.html.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { HttpError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';
import { sendError } from './http.js';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export function defaultRendererDir(): string {
  return join(packageRoot(), 'dist', 'renderer');
}

/** Content-Security-Policy for the UI: no inline scripts, API calls to our own origin only. */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export function serveStatic(res: ServerResponse, rendererDir: string, urlPath: string): void {
  const root = resolve(rendererDir);
  let rel = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  if (rel.endsWith('/')) rel += 'index.html';
  let file = normalize(join(root, rel));
  if (!file.startsWith(root + sep)) file = join(root, 'index.html');
  if (!existsSync(file) || !statSync(file).isFile()) {
    // SPA fallback: client-side routes (/models, /chat) get the app shell; missing assets get 404.
    if (extname(rel)) return notFound(res);
    file = join(root, 'index.html');
    if (!existsSync(file)) return notFound(res, 'the UI is not built: run `npm run build`');
  }
  const isHtml = file.endsWith('.html');
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': isHtml ? 'no-cache' : 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    ...(isHtml ? { 'content-security-policy': UI_CSP, 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' } : {}),
  });
  createReadStream(file).pipe(res);
}

/** A missing asset is an error like any other: the one envelope (clients and tests read `error.message`). */
function notFound(res: ServerResponse, msg = 'not found'): void {
  sendError(res, new HttpError(404, msg, 'not_found_error', 'not_found'));
}
