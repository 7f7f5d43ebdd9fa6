// Opt-in automatic updates from the company's own web server (electron-builder `generic` provider,
// electron-updater). Off by default; when on, checks at start and every few hours, downloads in the
// background and installs on the next quit. The installer's built-in URL is a placeholder under the
// reserved `.invalid` domain unless the build set a real one; that counts as "no update server".
import type { DesktopSettings } from '../contract/index.js';
import type { Logger } from './seam.js';

export const CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

export interface UpdaterSeam {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  /** Download and install failures arrive here only; an 'error' without a listener throws. */
  on(event: 'error', listener: (err: Error) => void): unknown;
  /** AppImageUpdater installed the update under a new file name (it has deleted the old file). */
  on(event: 'appimage-filename-updated', listener: (path: string) => void): unknown;
  removeListener(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: 'appimage-filename-updated', listener: (path: string) => void): unknown;
}

export function isPlaceholderUrl(url: string): boolean {
  try {
    return new URL(url).hostname.endsWith('.invalid');
  } catch {
    return true;
  }
}

/** The `url:` of the app-update.yml electron-builder writes next to the asar (null if none). */
export function builtInFeedUrl(appUpdateYml: string | null): string | null {
  const m = appUpdateYml ? /^url:\s*['"]?([^'"\s]+)['"]?\s*$/m.exec(appUpdateYml) : null;
  return m?.[1] ?? null;
}

/** Where updates come from: the user's setting, then LLAMA_ORCH_UPDATE_URL, then the build's own; null if none is real. */
export function feedUrl(settings: Pick<DesktopSettings, 'updateUrl'>, env: NodeJS.ProcessEnv, builtIn: string | null): string | null {
  for (const url of [settings.updateUrl, env.LLAMA_ORCH_UPDATE_URL, builtIn]) if (url && !isPlaceholderUrl(url)) return url;
  return null;
}

export interface UpdateDeps {
  /** Loaded only when updates are on: electron-updater touches Electron at import. */
  loadUpdater(): Promise<UpdaterSeam>;
  isPackaged: boolean;
  log: Logger;
  intervalMs?: number;
  /** The AppImage now lives at `path`: whatever launches the old one (autostart) must follow it. */
  onAppImageRenamed?(path: string): void;
  /** Offline mode (the core's setting): no check is made, at start or later. */
  offline?(): boolean;
}

/** Start or stop checking as the settings say; returns a function that stops checking. */
export async function startUpdates(settings: DesktopSettings, url: string | null, deps: UpdateDeps): Promise<() => void> {
  const none = () => undefined;
  if (!settings.autoUpdate) return none;
  if (!deps.isPackaged) {
    deps.log.info({}, 'automatic updates are on but this is a development build: not checking');
    return none;
  }
  if (deps.offline?.()) {
    deps.log.info({}, 'automatic updates are on but offline mode is on: not checking');
    return none;
  }
  if (!url) {
    deps.log.warn({}, 'automatic updates are on but no update server is configured (set one in settings or build with -c.publish.url=…)');
    return none;
  }
  const updater = await deps.loadUpdater();
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.setFeedURL({ provider: 'generic', url });
  const onError = (err: Error) => deps.log.warn({ err: err.message, url }, 'update failed');
  const onRenamed = (path: string) => {
    deps.log.info({ path }, 'the AppImage was updated under a new name');
    deps.onAppImageRenamed?.(path);
  };
  updater.on('error', onError);
  updater.on('appimage-filename-updated', onRenamed);
  // The rejection is also emitted as 'error'; catching it here keeps it from being unhandled.
  // Offline mode turned on later stops the checks too (the setting is read at each one).
  const check = () => (deps.offline?.() ? undefined : void updater.checkForUpdates().catch(() => undefined));
  check();
  const timer = setInterval(check, deps.intervalMs ?? CHECK_INTERVAL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    updater.removeListener('error', onError);
    updater.removeListener('appimage-filename-updated', onRenamed);
  };
}
