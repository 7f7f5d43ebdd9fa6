// Electron hardening, driven through fakes of the session and web contents: window options, the CSP
// header, denied permissions, navigation and window.open denial.
import { describe, expect, it, vi } from 'vitest';
import { guardWebContents, hardenSession, isExternalWebUrl, secureWebPreferences, UI_CSP, withCsp } from '../../../electron/main/security.js';
import { mainWindowOptions } from '../../../electron/main/window.js';
import { DEFAULT_WINDOW_STATE } from '../../../electron/main/window-state.js';
import { FakeSession, FakeWebContents, quietLog } from './fakes.js';

const APP = 'http://127.0.0.1:8585';

/** CSP directives as a map: `script-src` → ["'self'"]. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((p) => p[0])
      .map((p) => [p[0]!, p.slice(1)]),
  );
}

describe('window options', () => {
  it('isolates, sandboxes and keeps Node out of the renderer, with the preload as the only bridge', () => {
    const o = mainWindowOptions({ preloadPath: '/app/dist/electron/preload/index.cjs', devTools: false }, DEFAULT_WINDOW_STATE);
    expect(o.webPreferences).toMatchObject({
      preload: '/app/dist/electron/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
    // Shown on ready-to-show, so the user never sees an unpainted white window.
    expect(o.show).toBe(false);
    expect(o.backgroundColor).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('offers DevTools only when asked (development builds)', () => {
    expect(secureWebPreferences('/p.cjs', { devTools: true }).devTools).toBe(true);
  });
});

describe('content security policy', () => {
  it('allows scripts and connections from the app origin only, no eval, no plugins, no framing', () => {
    const d = directives(UI_CSP);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(UI_CSP).not.toMatch(/unsafe-eval|\*/);
  });

  it('sets the CSP on every response, replacing whatever the server sent in any letter case', () => {
    const session = new FakeSession();
    hardenSession(session, quietLog);
    const r = session.headers(`${APP}/`, { 'content-type': ['text/html'], 'content-security-policy': ["default-src *; script-src 'unsafe-eval'"] });
    const headers = r.responseHeaders as Record<string, string[]>;
    const csp = Object.entries(headers).filter(([k]) => k.toLowerCase() === 'content-security-policy');
    expect(csp).toEqual([['Content-Security-Policy', [UI_CSP]]]);
    expect(headers['content-type']).toEqual(['text/html']);
    expect(r.cancel).toBeUndefined();
  });

  it('adds the CSP when the response had none', () => {
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [UI_CSP] });
  });
});

describe('permissions', () => {
  it('refuses camera, microphone, geolocation, notifications, USB and unknown permissions', () => {
    const session = new FakeSession();
    hardenSession(session, quietLog);
    for (const p of ['media', 'geolocation', 'notifications', 'usb', 'hid', 'serial', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) {
      expect(session.request(p), p).toBe(false);
      expect(session.checkHandler?.(null, p), p).toBe(false);
    }
  });

  it('grants only sanitized clipboard writes (the UI copies API URLs)', () => {
    const session = new FakeSession();
    hardenSession(session, quietLog);
    expect(session.request('clipboard-sanitized-write')).toBe(true);
  });
});

describe('navigation and window.open', () => {
  function guarded(openExternal?: (url: string) => void) {
    const wc = new FakeWebContents();
    guardWebContents(wc, { appOrigin: () => APP, ...(openExternal ? { openExternal } : {}), log: quietLog });
    return wc;
  }

  it('blocks navigation and redirects away from the app origin', () => {
    const wc = guarded();
    expect(wc.navigate('will-navigate', 'https://evil.example/phish')).toBe(true);
    expect(wc.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(wc.navigate('will-navigate', 'http://127.0.0.1:9999/')).toBe(true);
    expect(wc.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(wc.navigate('will-navigate', 'not a url')).toBe(true);
  });

  it('lets the app navigate within its own origin', () => {
    const wc = guarded();
    expect(wc.navigate('will-navigate', `${APP}/models`)).toBe(false);
    expect(wc.navigate('will-redirect', `${APP}/`)).toBe(false);
  });

  it('blocks every navigation while the core has no URL yet', () => {
    const wc = new FakeWebContents();
    guardWebContents(wc, { appOrigin: () => null, log: quietLog });
    expect(wc.navigate('will-navigate', `${APP}/`)).toBe(true);
  });

  it('never attaches a webview', () => {
    expect(guarded().navigate('will-attach-webview')).toBe(true);
  });

  it('denies every window.open; web links go to the system browser, other schemes nowhere', () => {
    const openExternal = vi.fn();
    const wc = guarded(openExternal);
    for (const url of ['https://huggingface.co/models', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', `${APP}/chat`, 'https://user:pw@example.com/']) {
      expect(wc.openHandler?.({ url }), url).toEqual({ action: 'deny' });
    }
    expect(openExternal.mock.calls).toEqual([['https://huggingface.co/models']]);
  });

  it('drops web links too when no external opener is given', () => {
    const wc = guarded();
    expect(wc.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('recognises only plain http(s) URLs as external web links', () => {
    expect(isExternalWebUrl('https://example.com/a?b=1')).toBe(true);
    expect(isExternalWebUrl('http://example.com')).toBe(true);
    expect(isExternalWebUrl('ftp://example.com')).toBe(false);
    expect(isExternalWebUrl('')).toBe(false);
  });
});
