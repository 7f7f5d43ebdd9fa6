// "Open at login": Electron's login items on Windows and macOS; on Linux, where Electron has none,
// an XDG autostart entry (~/.config/autostart/llama-orch.desktop). Started at login, the app opens
// in the tray only, serving the API without a window in the way: Windows and Linux pass `--hidden`;
// macOS login items take no arguments (`args` is Windows-only), so there the app asks the system
// whether it was opened at login.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesktopResult } from '../contract/index.js';

export const HIDDEN_FLAG = '--hidden';
export const AUTOSTART_FILE = 'llama-orch.desktop';

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
  /** What the system should launch: the AppImage or installed executable (process.execPath in dev). */
  executable: string;
  /** Arguments before ours: the app folder when running unpackaged (`electron .`), else none. */
  launchArgs: string[];
  /** $XDG_CONFIG_HOME/autostart (Linux only). */
  autostartDir: string;
}

/** Quote one argument for a desktop entry's Exec key (freedesktop Desktop Entry spec, "Exec"). */
export function quoteExecArg(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(executable: string, args: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=llama-orch',
    'Comment=Local LLM engines behind an OpenAI-compatible API',
    `Exec=${[executable, ...args].map(quoteExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function applyOpenAtLogin(enabled: boolean, deps: LoginItemDeps): DesktopResult<null> {
  const args = [...deps.launchArgs, HIDDEN_FLAG];
  try {
    if (deps.platform === 'win32') deps.setLoginItemSettings({ openAtLogin: enabled, path: deps.executable, args });
    else if (deps.platform === 'darwin') deps.setLoginItemSettings({ openAtLogin: enabled });
    else if (deps.platform === 'linux') {
      const file = join(deps.autostartDir, AUTOSTART_FILE);
      if (enabled) {
        mkdirSync(deps.autostartDir, { recursive: true });
        writeFileSync(file, autostartEntry(deps.executable, args), { mode: 0o644 });
      } else rmSync(file, { force: true });
    } else return { ok: false, error: { code: 'unsupported', message: `open at login is not supported on ${deps.platform}` } };
    return { ok: true, value: null };
  } catch (err) {
    return { ok: false, error: { code: 'failed', message: `could not change open-at-login: ${(err as Error).message}` } };
  }
}

/**
 * The AppImage updater installs the new version under a new file name and deletes the old file; an
 * autostart entry still naming the old file would start nothing at the next login.
 */
export function followMovedExecutable(path: string, enabled: boolean, deps: LoginItemDeps): DesktopResult<null> {
  if (!enabled || deps.platform !== 'linux') return { ok: true, value: null };
  return applyOpenAtLogin(true, { ...deps, executable: path });
}

export interface LoginItemQuery {
  getLoginItemSettings(): { wasOpenedAtLogin?: boolean };
}

/** Whether to start in the tray: `--hidden` (Windows, Linux, or by hand), or macOS's own word. */
export function startedAtLogin(hiddenFlag: boolean, platform: NodeJS.Platform, app: LoginItemQuery): boolean {
  if (hiddenFlag) return true;
  return platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
}

export function autostartDir(env: NodeJS.ProcessEnv, home: string): string {
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'autostart');
}

export interface LoginItemApp {
  isPackaged: boolean;
  getAppPath(): string;
  setLoginItemSettings(settings: { openAtLogin: boolean; path?: string; args?: string[] }): void;
}

/** The login-item settings for this process: the AppImage when there is one, else the executable. */
export function loginItemDeps(app: LoginItemApp, proc: { platform: NodeJS.Platform; execPath: string; env: NodeJS.ProcessEnv }, home: string): LoginItemDeps {
  return {
    platform: proc.platform,
    setLoginItemSettings: (s) => app.setLoginItemSettings(s),
    executable: proc.env.APPIMAGE ?? proc.execPath,
    launchArgs: app.isPackaged ? [] : [app.getAppPath()],
    autostartDir: autostartDir(proc.env, home),
  };
}
