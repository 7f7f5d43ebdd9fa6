// Whether a tray icon can be seen at all. Electron creates a Tray on Linux even where nothing shows
// it: GNOME Shell has no tray unless the AppIndicator extension runs a StatusNotifierWatcher on the
// session bus. Without a visible tray the app must not hide in it (no window, no icon, no way back),
// so the root asks here first, and keeps the window instead.
import { execFile } from 'node:child_process';

export const WATCHER_NAME = 'org.kde.StatusNotifierWatcher';

export interface TrayVisibility {
  visible: boolean;
  /** For the log, when not visible. */
  reason: string | null;
}

/** `NameHasOwner` as printed by gdbus ("(true,)") or dbus-send ("boolean true"); null if neither. */
export function parseNameHasOwner(stdout: string): boolean | null {
  const m = /\(\s*(true|false)\s*,?\s*\)|boolean\s+(true|false)/.exec(stdout);
  const word = m?.[1] ?? m?.[2];
  return word === undefined ? null : word === 'true';
}

export function isGnome(env: NodeJS.ProcessEnv): boolean {
  const desktops = `${env.XDG_CURRENT_DESKTOP ?? ''}:${env.XDG_SESSION_DESKTOP ?? ''}:${env.DESKTOP_SESSION ?? ''}`;
  return desktops.split(':').some((d) => /^gnome(-classic|-xorg|-wayland)?$/i.test(d.trim()));
}

/**
 * The decision, from facts: a watcher (true/false, null when it could not be asked) and the desktop.
 * Other Linux desktops without a watcher still show XEmbed tray icons (Xfce, MATE, Cinnamon), and
 * an unknown answer is not evidence of no tray, so only GNOME without a watcher counts as none.
 */
export function trayVisibility(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, watcher: boolean | null): TrayVisibility {
  if (platform !== 'linux' || watcher !== false || !isGnome(env)) return { visible: true, reason: null };
  return { visible: false, reason: 'GNOME shows no tray icons without the AppIndicator extension (no StatusNotifierWatcher on the session bus)' };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', windowsHide: true }, (err, stdout) => resolve(err ? null : String(stdout)));
  });
}

/** Ask the session bus whether a StatusNotifierWatcher runs (gdbus, else dbus-send); null if neither answers. */
export async function hasStatusNotifierWatcher(env: NodeJS.ProcessEnv = process.env, timeoutMs = 2000): Promise<boolean | null> {
  const gdbus = await run(
    'gdbus',
    ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', WATCHER_NAME],
    env,
    timeoutMs,
  );
  const fromGdbus = gdbus === null ? null : parseNameHasOwner(gdbus);
  if (fromGdbus !== null) return fromGdbus;
  const send = await run(
    'dbus-send',
    ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${WATCHER_NAME}`],
    env,
    timeoutMs,
  );
  return send === null ? null : parseNameHasOwner(send);
}

/** Linux only asks the bus; other systems always have a tray / menu bar. */
export async function detectTrayVisibility(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Promise<TrayVisibility> {
  if (platform !== 'linux' || !isGnome(env)) return { visible: true, reason: null };
  return trayVisibility(platform, env, await hasStatusNotifierWatcher(env));
}
