// Quit stops engines before the app exits; the core falls back to a free port when 8585 is taken.
// The quit handler is driven with a fake `app`; the engine it stops is the real llama-server with the
// real tiny model, inside a real Core, so "no engine left running" is checked on a real process.
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Core } from '../../../electron/core/core.js';
import { installQuitHandler, startCore, watchSessionEnd } from '../../../electron/main/lifecycle.js';
import type { AppQuitSeam } from '../../../electron/main/seam.js';
import { testEnginePath } from '../../helpers/engine.js';
import { STORIES_MODEL } from '../../helpers/paths.js';
import { isAlive, waitFor } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/tmp.js';
import { event, quietLog } from './fakes.js';

class FakeApp extends EventEmitter implements AppQuitSeam {
  exits: number[] = [];
  exit(code = 0): void {
    this.exits.push(code);
  }
  /** What Electron does on app.quit(): emit before-quit; returns whether a listener held it back. */
  quit(): boolean {
    const e = event();
    this.emit('before-quit', e);
    return e.prevented;
  }
}

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('quit', () => {
  it('holds the quit until shutdown has finished, then exits with 0', async () => {
    const app = new FakeApp();
    const stop = deferred();
    const shutdown = vi.fn(() => stop.promise);
    installQuitHandler(app, { shutdown, log: quietLog });
    expect(app.quit()).toBe(true);
    expect(shutdown).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(app.exits).toEqual([]);
    stop.resolve();
    await waitFor(() => app.exits.length > 0, 'exit');
    expect(app.exits).toEqual([0]);
  });

  it('ignores repeated quit requests while stopping (one shutdown, one exit)', async () => {
    const app = new FakeApp();
    const stop = deferred();
    const shutdown = vi.fn(() => stop.promise);
    installQuitHandler(app, { shutdown, log: quietLog });
    app.quit();
    expect(app.quit()).toBe(true);
    expect(app.quit()).toBe(true);
    stop.resolve();
    await waitFor(() => app.exits.length > 0, 'exit');
    await new Promise((r) => setTimeout(r, 20));
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(app.exits).toEqual([0]);
  });

  it('exits with 1 when stopping fails, and after the timeout when it hangs', async () => {
    const failing = new FakeApp();
    installQuitHandler(failing, { shutdown: () => Promise.reject(new Error('boom')), log: quietLog });
    failing.quit();
    await waitFor(() => failing.exits.length > 0, 'exit after failure');
    expect(failing.exits).toEqual([1]);

    vi.useFakeTimers();
    const hanging = new FakeApp();
    installQuitHandler(hanging, { shutdown: () => new Promise(() => {}), log: quietLog, timeoutMs: 5_000 });
    hanging.quit();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(hanging.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(hanging.exits).toEqual([1]);
  });

  it('exits with the failure code after a failed start-up, once engines are stopped', async () => {
    const app = new FakeApp();
    installQuitHandler(app, { shutdown: async () => {}, log: quietLog, exitCode: () => 1 });
    app.quit();
    await waitFor(() => app.exits.length > 0, 'exit');
    expect(app.exits).toEqual([1]);
  });

  it('stops a running llama-server before the app exits', async () => {
    const data = tempDir();
    const core = new Core({ dataDir: data.path, port: 0, enginePath: testEnginePath() });
    try {
      await core.listen();
      const inst = await core.deployments.addUnsaved({ name: 'stories260K', model: STORIES_MODEL }).ensureInstance();
      await inst.ensureReady();
      const pid = inst.info().pid!;
      expect(isAlive(pid)).toBe(true);

      const app = new FakeApp();
      let aliveAtExit: boolean | null = null;
      app.exit = (code = 0) => {
        aliveAtExit = isAlive(pid);
        app.exits.push(code);
      };
      installQuitHandler(app, { shutdown: () => core.stop(), log: quietLog });
      app.quit();
      await waitFor(() => app.exits.length > 0, 'exit', 30_000);
      expect(app.exits).toEqual([0]);
      expect(aliveAtExit).toBe(false);
      expect(core.supervisor.list().every((i) => i.state === 'stopped')).toBe(true);
    } finally {
      await core.stop();
      data.cleanup();
    }
  });
});

describe('session end (logout, restart, shutdown)', () => {
  function sources(platform: NodeJS.Platform) {
    const powerMonitor = new EventEmitter();
    const window = new EventEmitter();
    const windows: EventEmitter[] = [];
    return { platform, powerMonitor, sessionWindow: () => (windows.push(window), window), windows, window };
  }

  it('Windows: stops the engines on session-end, which comes without any before-quit', async () => {
    const app = new FakeApp();
    const stop = deferred();
    const shutdown = vi.fn(() => stop.promise);
    const src = sources('win32');
    watchSessionEnd(src, installQuitHandler(app, { shutdown, log: quietLog, platform: 'win32' }));
    expect(src.windows).toHaveLength(1);
    src.window.emit('session-end', {});
    expect(shutdown).toHaveBeenCalledTimes(1);
    src.window.emit('session-end', {});
    stop.resolve();
    await waitFor(() => app.exits.length > 0, 'exit');
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(app.exits).toEqual([0]);
  });

  it('macOS: stops on shutdown, and then lets the quit through so the logout is not cancelled', async () => {
    const app = new FakeApp();
    const stop = deferred();
    const shutdown = vi.fn(() => stop.promise);
    const src = sources('darwin');
    watchSessionEnd(src, installQuitHandler(app, { shutdown, log: quietLog, platform: 'darwin' }));
    src.powerMonitor.emit('shutdown', event());
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(app.quit()).toBe(false);
    expect(shutdown).toHaveBeenCalledTimes(1);
    stop.resolve();
    await waitFor(() => app.exits.length > 0, 'exit');
  });

  it('macOS: an ordinary Cmd-Q is still held until the engines are stopped', () => {
    const app = new FakeApp();
    watchSessionEnd(sources('darwin'), installQuitHandler(app, { shutdown: () => new Promise(() => {}), log: quietLog, platform: 'darwin', timeoutMs: 60_000 }));
    expect(app.quit()).toBe(true);
  });

  it('Linux: asks logind to wait (preventDefault on shutdown), stops, keeps holding the quit, then exits', async () => {
    const app = new FakeApp();
    const stop = deferred();
    const shutdown = vi.fn(() => stop.promise);
    const src = sources('linux');
    watchSessionEnd(src, installQuitHandler(app, { shutdown, log: quietLog, platform: 'linux' }));
    expect(src.windows).toHaveLength(0);
    const e = event();
    src.powerMonitor.emit('shutdown', e);
    expect(e.prevented).toBe(true);
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(app.quit()).toBe(true);
    stop.resolve();
    await waitFor(() => app.exits.length > 0, 'exit');
    expect(app.exits).toEqual([0]);
  });
});

describe('core start', () => {
  let blocker: Server | null = null;
  afterEach(async () => {
    await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
    blocker = null;
  });

  it('serves on the preferred port when it is free', async () => {
    const data = tempDir();
    const { core, url } = await startCore((port) => new Core({ dataDir: data.path, port: port ?? 0 }), 0, quietLog);
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await core.stop();
      data.cleanup();
    }
  });

  it('falls back to a free port when the preferred one is taken, and says so', async () => {
    blocker = createServer();
    const taken = await new Promise<number>((r) => blocker!.listen(0, '127.0.0.1', () => r((blocker!.address() as { port: number }).port)));
    const data = tempDir();
    const ports: (number | undefined)[] = [];
    const { core, url } = await startCore(
      (port) => {
        ports.push(port);
        return new Core({ dataDir: data.path, port: port ?? 0 });
      },
      taken,
      quietLog,
    );
    try {
      expect(ports).toEqual([taken, 0]);
      expect(new URL(url).port).not.toBe(String(taken));
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(quietLog.lines.some((l) => l.msg.includes('port in use'))).toBe(true);
    } finally {
      await core.stop();
      data.cleanup();
    }
  });

  it('reports other listen errors instead of hiding them behind a new port', async () => {
    const make = () => ({ listen: () => Promise.reject(Object.assign(new Error('EADDRNOTAVAIL'), { code: 'EADDRNOTAVAIL' })), stop: async () => {} });
    await expect(startCore(make, 8585, quietLog)).rejects.toThrow('EADDRNOTAVAIL');
  });

  it('falls back to a free port when the preferred one is reserved (EACCES: a Hyper-V/WSL excluded range on Windows)', async () => {
    const data = tempDir();
    const ports: (number | undefined)[] = [];
    const { core, url } = await startCore(
      (port) => {
        ports.push(port);
        // The first core meets what Windows answers inside an excluded range; the second binds for real.
        if (port === 8585)
          return { listen: () => Promise.reject(Object.assign(new Error('listen EACCES: permission denied 127.0.0.1:8585'), { code: 'EACCES' })), stop: async () => {} } as unknown as Core;
        return new Core({ dataDir: data.path, port: port ?? 0 });
      },
      8585,
      quietLog,
    );
    try {
      expect(ports).toEqual([8585, 0]);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(quietLog.lines.some((l) => l.msg.includes('reserved'))).toBe(true);
    } finally {
      await core.stop();
      data.cleanup();
    }
  });

  it('says which port could not be bound and why, keeping the code for the fallback', async () => {
    blocker = createServer();
    const taken = await new Promise<number>((r) => blocker!.listen(0, '127.0.0.1', () => r((blocker!.address() as { port: number }).port)));
    const data = tempDir();
    const core = new Core({ dataDir: data.path, host: '127.0.0.1', port: taken });
    try {
      const err = (await core.listen().catch((e: unknown) => e)) as NodeJS.ErrnoException;
      expect(err.code).toBe('EADDRINUSE');
      expect(err.message).toBe(`cannot listen on 127.0.0.1:${taken}: another program is using it; choose another port (--port, or settings api.port), or 0 for a free one`);
    } finally {
      await core.stop();
      data.cleanup();
    }
  });
});
