// Who may reach which route, decided before any route runs: the Host header check (DNS rebinding),
// CORS (off unless an origin is allow-listed), and credentials — API keys for /v1 once any key
// exists or the API listens beyond loopback; the admin token, a UI session or an admin key for
// /api/v1.
import { hostname } from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyLimits, KeyScope } from '../../contract/index.js';
import type { KeyStore } from '../security/keys.js';
import { HttpError } from '../util/errors.js';
import { AdminAuth, bearerToken } from './auth.js';

export interface AccessConfig {
  /** The host as the user gave it (a Host header naming it is accepted). */
  bindHost: string;
  /** Whether every address that host resolved to is loopback (decided by address, not by name). */
  loopback: boolean;
  corsOrigins: () => string[];
  allowedHosts: () => string[];
}

export type Caller = { kind: 'admin'; keyId: null } | { kind: 'key'; scope: KeyScope; keyId: string; limits: KeyLimits } | { kind: 'anonymous'; keyId: null };

export class AccessPolicy {
  private readonly machineNames: Set<string>;

  constructor(
    private readonly config: AccessConfig,
    private readonly auth: AdminAuth,
    private readonly keys: KeyStore,
  ) {
    const h = hostname().toLowerCase();
    this.machineNames = new Set(['localhost', h, `${h}.local`, config.bindHost.toLowerCase()]);
  }

  private get loopback(): boolean {
    return this.config.loopback;
  }

  /** The API listens beyond loopback only with at least one key. */
  assertBindAllowed(): void {
    if (!this.loopback && this.keys.count === 0) {
      throw new Error(
        `refusing to listen on ${this.config.bindHost} without an API key: anyone on the network could use the API. ` +
          'Create one first with `llama-orch keys create --name <who> --scope inference`, or bind to 127.0.0.1.',
      );
    }
  }

  /** Host header guard: IP literals, this machine's names and allow-listed names only. */
  checkHost(req: IncomingMessage): void {
    const raw = (req.headers.host ?? '').toLowerCase();
    const host = raw.startsWith('[') ? raw.slice(0, raw.indexOf(']') + 1) : raw.replace(/:\d+$/, '');
    if (!host) throw new HttpError(400, 'missing Host header', 'invalid_request_error', 'bad_host');
    if (isIpLiteral(host) || this.machineNames.has(host) || this.config.allowedHosts().some((h) => h.toLowerCase() === host)) return;
    throw new HttpError(403, `Host '${host}' is not allowed; add it to the API's allowed hosts in settings if this machine is reached by that name`, 'permission_error', 'host_not_allowed');
  }

  /**
   * CORS: sets headers for allow-listed origins and answers preflights. A cross-origin request
   * from any other origin is refused, so a web page cannot drive the local API.
   * Returns true when the request was a preflight and has been answered.
   */
  applyCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (!origin || origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`) return false;
    if (!this.config.corsOrigins().includes(origin)) {
      throw new HttpError(403, `cross-origin requests from ${origin} are not allowed; add the origin to the CORS allow-list in settings`, 'permission_error', 'origin_not_allowed');
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    res.setHeader(
      'access-control-expose-headers',
      'x-request-id, x-llama-orch-receipt, x-llama-orch-api, retry-after, retry-after-ms, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens',
    );
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, DELETE, PATCH, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'authorization, content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return true;
    }
    return false;
  }

  private identify(req: IncomingMessage): Caller {
    if (this.auth.isAdmin(req)) return { kind: 'admin', keyId: null };
    const token = bearerToken(req);
    if (token) {
      const found = this.keys.check(token);
      if (found) {
        const expires = found.limits.expiresAt;
        if (expires !== null && Date.parse(expires) <= Date.now()) {
          throw new HttpError(
            401,
            `this API key expired at ${expires}; ask for a new key or for this one to be extended (\`llama-orch keys update ${found.id} --expires …\`)`,
            'authentication_error',
            'key_expired',
          );
        }
        return { kind: 'key', scope: found.scope, keyId: found.id, limits: found.limits };
      }
      // With no keys at all, clients' placeholder keys (the OpenAI SDK insists on one) are ignored.
      if (this.keys.count > 0 || this.keys.failClosed) throw new HttpError(401, 'invalid API key', 'authentication_error', 'invalid_api_key');
    }
    return { kind: 'anonymous', keyId: null };
  }

  /** /v1: open on loopback while no key exists; otherwise any valid key or admin credential. */
  forInference(req: IncomingMessage): Caller {
    const caller = this.identify(req);
    if (caller.kind === 'anonymous' && (this.keys.count > 0 || this.keys.failClosed || !this.loopback)) {
      throw new HttpError(401, 'this API needs a key: send `Authorization: Bearer <key>` (create one with `llama-orch keys create`)', 'authentication_error', 'missing_api_key');
    }
    return caller;
  }

  /** /api/v1: the admin token, a UI session, or an admin-scoped key. */
  forAdmin(req: IncomingMessage): Caller {
    const caller = this.identify(req);
    if (caller.kind === 'admin' || (caller.kind === 'key' && caller.scope === 'admin')) return caller;
    if (caller.kind === 'key') throw new HttpError(403, 'this key has the `inference` scope; the admin API needs an `admin` key', 'permission_error', 'insufficient_scope');
    throw new HttpError(401, 'admin API: send the admin token as `Authorization: Bearer <token>` or open the login URL printed by `llama-orch serve`', 'authentication_error', 'unauthorized');
  }
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.startsWith('[') && host.endsWith(']'));
}
