// The admin routes the UI uses: status, instances, live logs and the event stream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_PREFIXES, type CoreEvent, type InstanceListResponse, type StatusResponse } from '../../contract/index.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Listeners } from '../util/emitter.js';
import { HttpError } from '../util/errors.js';
import { sendJson } from '../http/http.js';
import { openSse } from '../http/sse.js';

export interface AdminDeps {
  supervisor: Supervisor;
  events: Listeners<CoreEvent>;
  status(): StatusResponse;
  /** Stop an instance through its owner (the deployment), so the next request starts a fresh one. */
  unload(id: string): Promise<boolean>;
}

export function getStatus(res: ServerResponse, deps: AdminDeps): void {
  sendJson(res, 200, deps.status());
}

export function listInstances(res: ServerResponse, deps: AdminDeps): void {
  const body: InstanceListResponse = { data: deps.supervisor.list() };
  sendJson(res, 200, body);
}

export async function deleteInstance(res: ServerResponse, deps: AdminDeps, id: string): Promise<void> {
  if (!(await deps.unload(id))) throw instanceNotFound(deps, id);
  res.writeHead(204).end();
}

/** GET /api/v1/instances/:id/logs?tail=N[&follow=0] — the last N lines, then live lines as SSE. */
export function streamLogs(req: IncomingMessage, res: ServerResponse, deps: AdminDeps, id: string, query: URLSearchParams): void {
  const inst = deps.supervisor.get(id);
  if (!inst) throw instanceNotFound(deps, id);
  const tailParam = query.get('tail');
  const tail = tailParam === null ? 200 : Number(tailParam);
  if (!Number.isInteger(tail) || tail < 0) throw new HttpError(400, '`tail` must be a non-negative integer', 'invalid_request_error', 'invalid_value', 'tail');
  if (query.get('follow') === '0') {
    sendJson(res, 200, { data: inst.tailLogs(tail) });
    return;
  }
  const sse = openSse(req, res);
  for (const line of inst.tailLogs(tail)) sse.send(line, 'log');
  sse.onClose(inst.onLog((line) => sse.send(line, 'log')));
}

/** GET /api/v1/events — state changes and progress, starting with a snapshot of every instance. */
export function streamEvents(req: IncomingMessage, res: ServerResponse, deps: AdminDeps): void {
  const sse = openSse(req, res);
  for (const instance of deps.supervisor.list()) sse.send({ type: 'instance.state', instance } satisfies CoreEvent);
  sse.onClose(deps.events.subscribe((ev) => sse.send(ev)));
}

function instanceNotFound(deps: AdminDeps, id: string): HttpError {
  const ids = deps.supervisor.list().map((i) => i.id);
  return new HttpError(404, `instance '${id}' not found; instances: ${ids.join(', ') || 'none'}`, 'not_found_error', 'instance_not_found', 'id');
}

export const ADMIN_PREFIX = API_PREFIXES.admin;
