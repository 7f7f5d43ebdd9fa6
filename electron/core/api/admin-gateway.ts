// Admin routes of the gateway: API keys and settings. (Cancelling a request is open to the key that
// started it: api/server.ts.)
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CreateKeyRequest, Settings } from '../../contract/index.js';
import type { KeyStore } from '../security/keys.js';
import type { SettingsStore } from '../settings/settings.js';
import { HttpError } from '../util/errors.js';
import { parseJsonObject, readBody, sendJson } from './http.js';
import type { RequestRegistry } from './requests.js';
import type { RouteHandler } from './server.js';

export interface GatewayAdminDeps {
  keys: KeyStore;
  settings: SettingsStore;
  requests: RequestRegistry;
}

/** Settings as the API shows them: secrets are never sent back. */
export function redactSettings(s: Settings): Settings {
  return { ...s, hub: { ...s.hub, token: s.hub.token ? '(set)' : null } };
}

export function gatewayAdminRoutes(deps: GatewayAdminDeps): RouteHandler {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/api/v1/keys') {
      if (method === 'GET') return sendJson(res, 200, { data: deps.keys.list() }), true;
      if (method === 'POST') {
        const body = parseJsonObject(await readBody(req, 64 * 1024)) as Partial<CreateKeyRequest>;
        const { name, scope, ...limits } = body;
        const created = deps.keys.create(name as string, scope as CreateKeyRequest['scope'], limits);
        return sendJson(res, 201, created), true;
      }
    }
    const key = /^\/api\/v1\/keys\/([^/]+)$/.exec(path);
    if (key && method === 'PATCH') {
      const id = decodeURIComponent(key[1]!);
      const updated = deps.keys.update(id, parseJsonObject(await readBody(req, 64 * 1024)));
      if (!updated) throw new HttpError(404, `API key '${id}' not found`, 'not_found_error', 'key_not_found', 'id');
      return sendJson(res, 200, updated), true;
    }
    if (key && method === 'DELETE') {
      const id = decodeURIComponent(key[1]!);
      if (!deps.keys.revoke(id)) throw new HttpError(404, `API key '${id}' not found`, 'not_found_error', 'key_not_found', 'id');
      return res.writeHead(204).end(), true;
    }
    if (path === '/api/v1/settings') {
      if (method === 'GET') return sendJson(res, 200, redactSettings(deps.settings.get())), true;
      if (method === 'PATCH') {
        const patch = parseJsonObject(await readBody(req, 256 * 1024));
        const next = deps.settings.update(patch);
        return sendJson(res, 200, redactSettings(next)), true;
      }
    }
    return false;
  };
}
