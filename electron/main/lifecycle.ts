// Start and stop of the in-process core: listen on the preferred port (8585) or a free one when it
// is taken, and on quit stop every engine *before* the process exits, whatever asked to quit
// (tray, window menu, Cmd-Q, OS logout, SIGTERM).
import { portUnavailable } from '../core/util/net.js';
import type { AppQuitSeam, Logger } from './seam.js';

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
}

/**
 * The first quit request is held back (preventDefault) until shutdown() has finished, then the app
 * exits. Further requests while stopping are swallowed. If shutdown hangs past the timeout the app
 * exits anyway with code 1, rather than never quitting.
 */
export function installQuitHandler(app: AppQuitSeam, opts: QuitOptions): { readonly stopping: boolean } {
  let stopping: Promise<void> | null = null;
  app.on('before-quit', (event) => {
    event.preventDefault();
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
  });
  return {
    get stopping() {
      return stopping !== null;
    },
  };
}
