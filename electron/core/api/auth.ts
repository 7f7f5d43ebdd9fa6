// Who may call what. The admin API (/api/v1/*) needs the admin token (held by the desktop app and
// printed by `serve`) or a session cookie obtained through a one-time login URL. Tokens are compared
// in constant time. API keys for /v1 on the LAN are added by the keys module.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'llama_orch_session';

export function safeEqual(a: string, b: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (typeof h === 'string' && /^Bearer\s+/i.test(h)) return h.replace(/^Bearer\s+/i, '').trim();
  const x = req.headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : null;
}

function cookie(req: IncomingMessage, name: string): string | null {
  const raw = req.headers.cookie;
  if (!raw) return null;
  for (const part of raw.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return null; // a malformed cookie is no session
      }
    }
  }
  return null;
}

export class AdminAuth {
  readonly adminToken: string;
  private readonly loginTokens = new Set<string>();
  private readonly sessions = new Set<string>();

  constructor(adminToken = randomBytes(32).toString('base64url')) {
    this.adminToken = adminToken;
  }

  /** A single-use token for a login URL (`/auth/login?token=…`). */
  mintLoginToken(): string {
    const t = randomBytes(24).toString('base64url');
    this.loginTokens.add(t);
    return t;
  }

  /** Trade a login token (single use) or the admin token for a session id; null if neither. */
  login(token: string): string | null {
    let ok = safeEqual(token, this.adminToken);
    for (const t of this.loginTokens) {
      if (safeEqual(token, t)) {
        this.loginTokens.delete(t);
        ok = true;
      }
    }
    if (!ok) return null;
    const session = randomBytes(32).toString('base64url');
    this.sessions.add(session);
    return session;
  }

  isAdmin(req: IncomingMessage): boolean {
    // EventSource cannot set headers, so GET requests may carry the token as `access_token`.
    const query = req.method === 'GET' ? new URL(req.url ?? '/', 'http://local').searchParams.get('access_token') : null;
    const bearer = bearerToken(req) ?? query;
    if (bearer && safeEqual(bearer, this.adminToken)) return true;
    const session = cookie(req, SESSION_COOKIE);
    if (session) for (const s of this.sessions) if (safeEqual(session, s)) return true;
    return false;
  }
}
