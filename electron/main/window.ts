// The main window: options (secure web preferences, restored size and position), shown only once it
// has painted (no white flash), and its state saved as it changes. Closing it keeps the app running
// in the tray: the API keeps serving office tools.
import { secureWebPreferences } from './security.js';
import type { Logger, Persisted, Rect, WindowSeam } from './seam.js';
import { MIN_WINDOW_SIZE, restoreWindowState, trackWindowState, type WindowState } from './window-state.js';

export const WINDOW_BACKGROUND = '#0f172a';

export interface MainWindowConfig {
  preloadPath: string;
  iconPath?: string;
  devTools: boolean;
}

export function mainWindowOptions(config: MainWindowConfig, state: WindowState) {
  return {
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    show: false,
    title: 'llama-orch',
    backgroundColor: WINDOW_BACKGROUND,
    autoHideMenuBar: true,
    ...(config.iconPath ? { icon: config.iconPath } : {}),
    webPreferences: secureWebPreferences(config.preloadPath, { devTools: config.devTools }),
  };
}

export type MainWindowOptions = ReturnType<typeof mainWindowOptions>;

export interface MainWindowDeps extends MainWindowConfig {
  createWindow(options: MainWindowOptions): WindowSeam;
  store: Persisted<WindowState>;
  workAreas(): Rect[];
  log: Logger;
}

export interface OpenWindowOptions {
  hidden: boolean;
  /**
   * True while closing should only minimize: when no tray icon can be seen, the window is the one
   * way back to the app, so closing it must not leave the app running out of sight.
   */
  closeMinimizes?: () => boolean;
}

/** Create the window and start loading `url`; it shows itself when ready unless `hidden`. */
export function openMainWindow(deps: MainWindowDeps, url: string, opts: OpenWindowOptions): WindowSeam {
  const state = restoreWindowState(deps.store.load(), deps.workAreas());
  const win = deps.createWindow(mainWindowOptions(deps, state));
  // maximize() shows a hidden window at once (before it has painted): wait until it is shown.
  let pendingMaximize = state.maximized;
  const maximizeOnce = () => {
    if (!pendingMaximize) return;
    pendingMaximize = false; // first: maximize() itself emits 'show' on a hidden window
    win.maximize();
  };
  win.once('show', maximizeOnce);
  trackWindowState(win, deps.store);
  win.once('ready-to-show', () => {
    if (opts.hidden) return;
    maximizeOnce();
    win.show();
  });
  win.on('close', (event) => {
    if (!opts.closeMinimizes?.()) return;
    event.preventDefault();
    win.minimize();
  });
  win.loadURL(url).catch((err: Error) => deps.log.error({ err: err.message }, 'the window could not load the UI'));
  return win;
}

/** Bring an existing window to the front (second instance launched, tray clicked). */
export function revealWindow(win: WindowSeam): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/**
 * The one main window of the shell: `show()` brings it forward when it is open, else opens it again;
 * a closed window is forgotten (the shell keeps serving from the tray meanwhile).
 */
export class MainWindowHolder<W extends WindowSeam> {
  current: W | null = null;

  constructor(
    private readonly deps: MainWindowDeps,
    private readonly url: string,
    private readonly closeMinimizes: () => boolean,
  ) {}

  show(): void {
    if (this.current && !this.current.isDestroyed()) return revealWindow(this.current);
    const win = openMainWindow(this.deps, this.url, { hidden: false, closeMinimizes: this.closeMinimizes }) as W;
    win.on('closed', () => {
      if (this.current === win) this.current = null;
    });
    this.current = win;
  }
}
