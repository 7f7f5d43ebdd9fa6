// Electron hardening in one place: renderer web preferences, the CSP header, denied permissions,
// navigation and window.open guards (Electron's security checklist). Every function takes the
// Electron object it configures, so tests drive it with fakes.
import { UI_CSP } from '../core/http/static.js';
import type { Logger, SessionSeam, WebContentsSeam } from './seam.js';

export { UI_CSP };

/** web preferences of every app window: isolated, sandboxed, no Node, no webviews. */
export function secureWebPreferences(preloadPath: string, opts: { devTools: boolean }) {
  return {
    preload: preloadPath,
    devTools: opts.devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    enableWebSQL: false,
  } as const;
}

/**
 * The only permission granted: writing (sanitized) text to the clipboard, for the UI's "copy API URL"
 * buttons. Camera, microphone, geolocation, notifications from pages, USB, … are all refused.
 */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission);
}

/** Response headers with our CSP set, whatever (and in whatever case) the server sent. */
export function withCsp(headers: Record<string, string[]> | undefined, csp = UI_CSP): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() !== 'content-security-policy') out[k] = v;
  out['Content-Security-Policy'] = [csp];
  return out;
}

export function hardenSession(session: SessionSeam, log?: Logger): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => {
    const granted = isPermissionAllowed(permission);
    if (!granted) log?.warn({ permission }, 'denied a permission request');
    callback(granted);
  });
  session.setPermissionCheckHandler((_wc, permission) => isPermissionAllowed(permission));
  // The core sends this CSP with the UI already; setting it here as well covers every response,
  // whatever a future route forgets.
  session.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCsp(details.responseHeaders) }));
}

export function isSameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Links the system browser may open: plain web pages, nothing else (no file:, smb:, custom schemes). */
export function isExternalWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
  } catch {
    return false;
  }
}

export interface GuardOptions {
  /** The one origin the app's pages may navigate within (the core's base URL). */
  appOrigin: () => string | null;
  /** Open a web link in the system browser (shell.openExternal); omit to drop such links. */
  openExternal?: (url: string) => void;
  log?: Logger;
}

/**
 * Navigation stays inside the app's origin; window.open never creates a window (web links go to the
 * system browser); webviews are never attached.
 */
export function guardWebContents(contents: WebContentsSeam, opts: GuardOptions): void {
  const denyForeign = (event: { url: string; preventDefault(): void }) => {
    const origin = opts.appOrigin();
    if (origin && isSameOrigin(event.url, origin)) return;
    event.preventDefault();
    opts.log?.warn({ url: redact(event.url) }, 'blocked navigation');
  };
  contents.on('will-navigate', denyForeign);
  contents.on('will-redirect', denyForeign);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (opts.openExternal && isExternalWebUrl(url) && !isSameOrigin(url, opts.appOrigin() ?? '')) opts.openExternal(url);
    else opts.log?.warn({ url: redact(url) }, 'blocked window.open');
    return { action: 'deny' };
  });
}

/** Origin and path only: query strings may carry tokens. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
