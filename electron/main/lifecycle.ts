// Start and stop of the in-process core: listen on the preferred port (8585) or a free one when it
// is taken, and on quit stop every engine *before* the process exits, whatever asked to quit
// (tray, window menu, Cmd-Q, SIGTERM); when the OS ends the session (logout, restart, shutdown),
// start stopping at once, on the event each platform has for it.
import { portUnavailable } from '../core/util/net.js';
import type { AppQuitSeam, Logger, PreventableEvent } from './seam.js';

export interface CoreLike {
  listen(): Promise<string>;
  stop(): Promise<void>;
}

export interface StartedCore<C extends CoreLike> {
  core: C;
  url: string;
}

/**
 * Listen on `preferredPort` (undefined: the port in the core's settings, 8585 by default); if
 * something else holds it, build the core again on a free port.
 */
export async function startCore<C extends CoreLike>(make: (port: number | undefined) => C, preferredPort: number | undefined, log: Logger): Promise<StartedCore<C>> {
  const first = make(preferredPort);
  try {
    return { core: first, url: await first.listen() };
  } catch (err) {
    if (!portUnavailable(err) || preferredPort === 0) throw err;
    await first.stop();
    log.warn({ port: preferredPort ?? 'from settings', code: (err as NodeJS.ErrnoException).code }, 'port in use or reserved: serving on a free port instead');
    const second = make(0);
    return { core: second, url: await second.listen() };
  }
}

export const QUIT_TIMEOUT_MS = 30_000;

export interface QuitOptions {
  /** Stops the engines and the server (core.stop) and anything else the root owns. */
  shutdown(): Promise<void>;
  log: Logger;
  timeoutMs?: number;
  /** Exit code when shutdown went well (1 after a failed start-up). */
  exitCode?: () => number;
  /** Decides whether a quit during logout/shutdown may be held (macOS cancels the logout if it is). */
  platform?: NodeJS.Platform;
}

export interface QuitControl {
  readonly stopping: boolean;
  /** The OS is ending the session (logout, restart, shutdown): stop now, without waiting to be asked. */
  sessionEnding(reason: string): void;
}

/**
 * The first quit request is held back (preventDefault) until shutdown() has finished, then the app
 * exits. Further requests while stopping are swallowed. If shutdown hangs past the timeout the app
 * exits anyway with code 1, rather than never quitting.
 * When the session is ending the stop starts at once; on macOS the quit that follows is then let
 * through, because holding it there cancels the user's logout or shutdown (engines already have
 * their stop signal, and die with the app).
 */
export function installQuitHandler(app: AppQuitSeam, opts: QuitOptions): QuitControl {
  let stopping: Promise<void> | null = null;
  let ending = false;
  const begin = () => {
    if (stopping) return;
    opts.log.info({}, 'quitting: stopping engines');
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(((timedOut = true), 1)), opts.timeoutMs ?? QUIT_TIMEOUT_MS);
    });
    const done = opts.shutdown().then(
      () => opts.exitCode?.() ?? 0,
      (err: Error) => {
        opts.log.error({ err: err.message }, 'error while stopping engines');
        return 1;
      },
    );
    stopping = Promise.race([done, timeout]).then((code) => {
      clearTimeout(timer);
      if (timedOut) opts.log.error({ code }, 'exiting before every engine was confirmed stopped');
      app.exit(code);
    });
  };
  app.on('before-quit', (event) => {
    if (!(ending && opts.platform === 'darwin')) event.preventDefault();
    begin();
  });
  return {
    get stopping() {
      return stopping !== null;
    },
    sessionEnding(reason) {
      if (!ending) opts.log.info({ reason }, 'the session is ending');
      ending = true;
      begin();
    },
  };
}

export interface SessionEndSources {
  platform: NodeJS.Platform;
  /** Electron's powerMonitor: 'shutdown' on Linux and macOS (logout, restart, power off). */
  powerMonitor: { on(event: 'shutdown', listener: () => void): unknown };
  /**
   * Windows: a window to hear 'session-end'. Windows sends WM_ENDSESSION to top-level windows only,
   * and does not emit before-quit at logoff, so without one the engines are never told.
   */
  sessionWindow(): { on(event: 'session-end', listener: () => void): unknown };
}

/** Call quit.sessionEnding() when the OS ends the session, by whichever event this platform has. */
export function watchSessionEnd(sources: SessionEndSources, quit: Pick<QuitControl, 'sessionEnding'>): void {
  if (sources.platform === 'win32') {
    sources.sessionWindow().on('session-end', () => quit.sessionEnding('session-end'));
    return;
  }
  // Electron passes an event although its typings say nothing: preventDefault() asks logind (Linux)
  // to wait for us, on the promise that the app then exits as soon as it can, which begin() does.
  sources.powerMonitor.on('shutdown', (...args: unknown[]) => {
    (args[0] as Partial<PreventableEvent> | undefined)?.preventDefault?.();
    quit.sessionEnding('shutdown');
  });
}
