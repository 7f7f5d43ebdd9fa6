// Electron main process: the composition root of the desktop app. One instance per data dir; starts
// the core in-process, hardens the session, opens the window, keeps a tray icon, and stops every
// engine before exiting. Logic lives in the modules beside this file; this only wires them.
import { app, BaseWindow, BrowserWindow, clipboard, dialog, ipcMain, Menu, Notification, powerMonitor, screen, session, shell, Tray } from 'electron';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_PREFIXES, type DesktopSettings } from '../contract/index.js';
import { Core } from '../core/core.js';
import { applyAppUserModelId } from './app-identity.js';
import { preloadPath, resourcesDir, trayIconPath, windowIconPath } from './app-paths.js';
import { DesktopSettingsStore, settingsEffects } from './desktop-settings.js';
import { desktopHandlers, registerDesktopIpc } from './ipc.js';
import { PDF_WINDOW_OPTIONS } from './report-pdf.js';
import { installQuitHandler, startCore, watchSessionEnd, type QuitControl } from './lifecycle.js';
import { applyOpenAtLogin, followMovedExecutable, loginItemDeps, startedAtLogin } from './login-item.js';
import { watchNotices } from './notifications.js';
import { guardWebContents, hardenSession } from './security.js';
import { consoleLogger as log } from './seam.js';
import { handleLaunch, launchData, LaunchQueue, launchRequest, startModels } from './second-instance.js';
import { parseStartup, type StartupOptions } from './startup.js';
import { electronStore, readOptional } from './stores.js';
import { shellTrayActions, tryCreateTray, type TrayController } from './tray.js';
import { detectTrayVisibility } from './tray-support.js';
import { builtInFeedUrl, feedUrl, startUpdates, type UpdaterSeam } from './updates.js';
import { MainWindowHolder } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));

/** What the process owns and must release on quit, in that order: updates, listeners, tray, core. */
const owned = {
  core: null as Core | null,
  window: null as MainWindowHolder<BrowserWindow> | null,
  tray: null as TrayController<Menu> | null,
  quit: null as QuitControl | null,
  /** Windows only: hears 'session-end' when no main window is open. */
  sessionWindow: null as BaseWindow | null,
  stopUpdates: () => {},
  cleanups: [] as (() => void)[],
  failed: false,
};
const launches = new LaunchQueue();

async function main(): Promise<void> {
  const opts = parseStartup(process.argv.slice(1), process.env);
  // Chromium's profile, the single-instance lock and the shell's stores live in the data dir too.
  app.setPath('userData', join(opts.dataDir, 'desktop'));
  if (!app.requestSingleInstanceLock(launchData(process.argv.slice(1), process.cwd()))) return app.exit(0);
  // Before anything slow: a launch during start-up is queued until the shell can act on it.
  app.on('second-instance', (_e, argv, cwd, data) => launches.receive(launchRequest(argv, cwd, data)));
  applyAppUserModelId(app, process.platform, process.execPath);
  app.enableSandbox();
  owned.quit = installQuitHandler(app, {
    log,
    platform: process.platform,
    exitCode: () => (owned.failed ? 1 : 0),
    shutdown: async () => {
      owned.stopUpdates();
      for (const release of owned.cleanups) release();
      owned.tray?.destroy();
      await owned.core?.stop();
    },
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => app.quit());

  await app.whenReady();
  const sessionWindow = () => (owned.sessionWindow ??= new BaseWindow({ show: false, skipTaskbar: true, focusable: false }));
  watchSessionEnd({ platform: process.platform, powerMonitor, sessionWindow }, owned.quit);
  let url: string | null = null;
  const appOrigin = () => (url ? new URL(url).origin : null);
  hardenSession(session.defaultSession, log);
  app.on('web-contents-created', (_e, contents) => guardWebContents(contents, { appOrigin, openExternal: (u) => void shell.openExternal(u), log }));
  const makeCore = (port: number | undefined) =>
    (owned.core = new Core({ dataDir: opts.dataDir, ...(port === undefined ? {} : { port }), ...(opts.enginePath ? { enginePath: opts.enginePath } : {}) }));
  const started = await startCore(makeCore, opts.port, log);
  await wireShell(opts, started.core, (url = started.url), appOrigin);
}

function desktopSettings(): { settings: DesktopSettingsStore; applyUpdates(s: DesktopSettings): Promise<void> } {
  const loadUpdater = async (): Promise<UpdaterSeam> => (await import('electron-updater')).default.autoUpdater;
  const applyUpdates = async (s: DesktopSettings) => {
    owned.stopUpdates();
    const feed = feedUrl(s, process.env, builtInFeedUrl(readOptional(join(process.resourcesPath, 'app-update.yml'))));
    owned.stopUpdates = await startUpdates(s, feed, { loadUpdater, isPackaged: app.isPackaged, log, onAppImageRenamed, offline: () => owned.core?.offline ?? false });
  };
  const loginItem = loginItemDeps(app, process, homedir());
  const onAppImageRenamed = (path: string) => {
    const r = followMovedExecutable(path, settings.get().openAtLogin, loginItem);
    if (!r.ok) log.warn({ err: r.error.message }, 'open at login still names the old AppImage');
  };
  const effects = settingsEffects({ openAtLogin: (on) => applyOpenAtLogin(on, loginItem), updates: (s) => void applyUpdates(s), refresh: () => owned.tray?.refresh(), log });
  const settings = new DesktopSettingsStore(electronStore<DesktopSettings>('desktop-settings'), effects);
  return { settings, applyUpdates };
}

async function wireShell(opts: StartupOptions, core: Core, baseUrl: string, appOrigin: () => string | null): Promise<void> {
  const resDir = resourcesDir(app.isPackaged, process.resourcesPath);
  const { settings, applyUpdates } = desktopSettings();
  const windowDeps = {
    createWindow: (o: ConstructorParameters<typeof BrowserWindow>[0]) => new BrowserWindow(o),
    store: electronStore('window-state'),
    workAreas: () => screen.getAllDisplays().map((d) => d.workArea),
    preloadPath: preloadPath(here),
    iconPath: windowIconPath(resDir),
    devTools: !app.isPackaged, // no DevTools in shipped builds
    log,
  };
  let trayShown = false;
  // Without a tray icon to come back through, closing the window only minimizes it (unless quitting).
  const closeMinimizes = () => !trayShown && !owned.quit?.stopping;
  const window = (owned.window = new MainWindowHolder<BrowserWindow>(windowDeps, baseUrl, closeMinimizes));
  const showWindow = () => window.show();
  const handlers = desktopHandlers({
    connection: () => ({ baseUrl, adminToken: core.auth.adminToken }),
    showOpenDialog: (o) => (window.current ? dialog.showOpenDialog(window.current, o) : dialog.showOpenDialog(o)),
    showItemInFolder: (p) => shell.showItemInFolder(p),
    appInfo: () => ({ version: app.getVersion(), platform: process.platform, arch: process.arch, electron: process.versions.electron ?? '', dataDir: opts.dataDir }),
    settings,
    reportPdf: {
      fetch,
      openWindow: () => new BrowserWindow(PDF_WINDOW_OPTIONS),
      showSaveDialog: (o) => (window.current ? dialog.showSaveDialog(window.current, o) : dialog.showSaveDialog(o)),
      downloadsDir: () => app.getPath('downloads'),
    },
  });
  owned.cleanups.push(
    registerDesktopIpc(ipcMain, handlers, { appOrigin, log }),
    watchNotices(core.events, (n) => {
      if (Notification.isSupported()) new Notification({ title: n.title, body: n.body, icon: windowIconPath(resDir) }).show();
    }),
    core.events.subscribe((e) => {
      if (e.type.startsWith('instance.')) owned.tray?.refresh();
    }),
  );
  owned.tray = tryCreateTray<Menu>(
    {
      create: (icon) => new Tray(icon),
      buildMenu: (items) => Menu.buildFromTemplate(items),
      iconPath: (kind) => trayIconPath(resDir, kind, process.platform),
      status: () => ({ url: baseUrl, instances: core.supervisor.list() }),
      settings: () => settings.get(),
      actions: shellTrayActions({ showWindow, copyText: (t) => clipboard.writeText(t), apiUrl: `${baseUrl}${API_PREFIXES.openai}`, settings, quit: () => app.quit() }),
    },
    log,
  );
  const visibility = await detectTrayVisibility(process.platform, process.env);
  trayShown = owned.tray !== null && visibility.visible;
  if (!visibility.visible) log.warn({ reason: visibility.reason }, 'no tray icon can be shown: keeping the window open');
  app.on('activate', showWindow);
  // Closing the window keeps serving from the tray; only Quit (tray, menu, Cmd-Q) stops the engines.
  app.on('window-all-closed', () => undefined);
  if (!(startedAtLogin(opts.hidden, process.platform, app) && trayShown)) showWindow();
  void applyUpdates(settings.get());
  const served = { serveFile: (path: string) => core.deployments.findOrServeFile(path) };
  startModels(served, opts.models, log);
  launches.ready((launch) => handleLaunch(launch, { models: served, env: process.env, trayShown: () => trayShown, showWindow, log }));
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  log.error({ err: message }, 'llama-orch could not start');
  if (app.isReady()) dialog.showErrorBox('llama-orch could not start', message);
  owned.failed = true;
  // With a core running, quit (not exit) so the quit handler stops whatever engines already started.
  if (owned.core) app.quit();
  else app.exit(1);
});
