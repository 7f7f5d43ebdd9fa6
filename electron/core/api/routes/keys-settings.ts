// Admin routes of the gateway: API keys and settings. (Cancelling a request is open to the key that
// started it: api/server.ts.)
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CreateKeyRequest, Settings } from '../../../contract/index.js';
import type { KeyStore } from '../../security/keys.js';
import type { SettingsStore } from '../../settings/settings.js';
import { HttpError } from '../../util/errors.js';
import { parseJsonObject, readBody, sendJson } from '../../http/http.js';
import type { RequestRegistry } from '../requests.js';
import type { RouteCall, RouteHandler } from '../server.js';

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
  return async (req: IncomingMessage, res: ServerResponse, _url: URL, call: RouteCall | null) => {
    const id = call?.params.id ?? '';
    switch (call?.id) {
      case 'keys':
        return (sendJson(res, 200, { data: deps.keys.list() }), true);
      case 'createKey': {
        const body = parseJsonObject(await readBody(req, 64 * 1024)) as Partial<CreateKeyRequest>;
        const { name, scope, ...limits } = body;
        const created = deps.keys.create(name as string, scope as CreateKeyRequest['scope'], limits);
        return (sendJson(res, 201, created), true);
      }
      case 'key': {
        const updated = deps.keys.update(id, parseJsonObject(await readBody(req, 64 * 1024)));
        if (!updated) throw new HttpError(404, `API key '${id}' not found`, 'not_found_error', 'key_not_found', 'id');
        return (sendJson(res, 200, updated), true);
      }
      case 'revokeKey':
        if (!deps.keys.revoke(id)) throw new HttpError(404, `API key '${id}' not found`, 'not_found_error', 'key_not_found', 'id');
        return (res.writeHead(204).end(), true);
      case 'settings':
        return (sendJson(res, 200, redactSettings(deps.settings.get())), true);
      case 'updateSettings': {
        const patch = parseJsonObject(await readBody(req, 256 * 1024));
        return (sendJson(res, 200, redactSettings(deps.settings.update(patch))), true);
      }
      default:
        return false;
    }
  };
}
