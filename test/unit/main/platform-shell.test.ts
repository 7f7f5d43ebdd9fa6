// What differs per desktop: the Windows AppUserModelID, how macOS says "opened at login", the Linux
// autostart entry following an AppImage update, whether a tray icon can be seen (GNOME), and a second
// launch arriving while the first is still starting. Electron is faked at the seam; files, the
// session-bus query tools and their child processes are real.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { applyAppUserModelId, APP_USER_MODEL_ID } from '../../../electron/main/app-identity.js';
import { applyOpenAtLogin, AUTOSTART_FILE, followMovedExecutable, startedAtLogin, type LoginItemDeps } from '../../../electron/main/login-item.js';
import { handleLaunch, launchData, LaunchQueue, launchRequest, type LaunchModels, type LaunchRequest } from '../../../electron/main/second-instance.js';
import { detectTrayVisibility, hasStatusNotifierWatcher, parseNameHasOwner, trayVisibility } from '../../../electron/main/tray-support.js';
import { ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/tmp.js';
import { quietLog } from './fakes.js';

const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d.path;
}

describe('Windows AppUserModelID', () => {
  it('is builder.yml’s appId in a packaged app, so toasts match the NSIS shortcuts', async () => {
    const config = await getConfig(ROOT, 'builder.yml', null);
    const set: string[] = [];
    expect(applyAppUserModelId({ isPackaged: true, setAppUserModelId: (id) => set.push(id) }, 'win32', 'C:\\x\\llama-orch.exe')).toBe(config.appId);
    expect(set).toEqual([APP_USER_MODEL_ID]);
  });

  it('is the Electron binary when unpackaged, and not set at all on other systems', () => {
    const set: string[] = [];
    applyAppUserModelId({ isPackaged: false, setAppUserModelId: (id) => set.push(id) }, 'win32', 'C:\\src\\electron.exe');
    applyAppUserModelId({ isPackaged: true, setAppUserModelId: (id) => set.push(id) }, 'darwin', '/x');
    applyAppUserModelId({ isPackaged: true, setAppUserModelId: (id) => set.push(id) }, 'linux', '/x');
    expect(set).toEqual(['C:\\src\\electron.exe']);
  });
});

describe('started at login', () => {
  const never = { getLoginItemSettings: () => expect.fail('only macOS is asked') };

  it('macOS: asks the system (login items get no --hidden there)', () => {
    expect(startedAtLogin(false, 'darwin', { getLoginItemSettings: () => ({ wasOpenedAtLogin: true }) })).toBe(true);
    expect(startedAtLogin(false, 'darwin', { getLoginItemSettings: () => ({ wasOpenedAtLogin: false }) })).toBe(false);
  });

  it('Windows and Linux: the --hidden flag the login item passes', () => {
    expect(startedAtLogin(true, 'win32', never)).toBe(true);
    expect(startedAtLogin(false, 'win32', never)).toBe(false);
    expect(startedAtLogin(false, 'linux', never)).toBe(false);
  });
});

describe('AppImage autostart after an update', () => {
  function deps(): LoginItemDeps {
    return {
      platform: 'linux',
      setLoginItemSettings: () => expect.fail('Linux has no login items'),
      executable: '/home/u/Apps/llama-orch-0.1.0-x86_64.AppImage',
      launchArgs: [],
      autostartDir: join(dir(), 'autostart'),
    };
  }

  it('rewrites the autostart entry to the new file name', () => {
    const d = deps();
    applyOpenAtLogin(true, d);
    const file = join(d.autostartDir, AUTOSTART_FILE);
    expect(readFileSync(file, 'utf8')).toContain('Exec=/home/u/Apps/llama-orch-0.1.0-x86_64.AppImage --hidden');
    expect(followMovedExecutable('/home/u/Apps/llama-orch-0.2.0-x86_64.AppImage', true, d)).toEqual({ ok: true, value: null });
    expect(readFileSync(file, 'utf8')).toContain('Exec=/home/u/Apps/llama-orch-0.2.0-x86_64.AppImage --hidden\n');
  });

  it('writes nothing when open at login is off', () => {
    const d = deps();
    followMovedExecutable('/home/u/Apps/new.AppImage', false, d);
    expect(() => readFileSync(join(d.autostartDir, AUTOSTART_FILE))).toThrow(/ENOENT/);
  });
});

describe('tray visibility', () => {
  const gnome = { XDG_CURRENT_DESKTOP: 'GNOME' };

  it('reads NameHasOwner as gdbus and dbus-send print it', () => {
    expect(parseNameHasOwner('(true,)\n')).toBe(true);
    expect(parseNameHasOwner('(false,)\n')).toBe(false);
    expect(parseNameHasOwner('method return time=1 sender=org.freedesktop.DBus\n   boolean false\n')).toBe(false);
    expect(parseNameHasOwner('Error: no bus')).toBeNull();
  });

  it('counts only GNOME without a StatusNotifierWatcher as having no tray', () => {
    expect(trayVisibility('linux', gnome, false)).toMatchObject({ visible: false, reason: expect.stringMatching(/AppIndicator/) });
    expect(trayVisibility('linux', { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }, false).visible).toBe(false);
    expect(trayVisibility('linux', gnome, true).visible).toBe(true);
    expect(trayVisibility('linux', gnome, null).visible).toBe(true);
    expect(trayVisibility('linux', { XDG_CURRENT_DESKTOP: 'XFCE' }, false).visible).toBe(true);
    expect(trayVisibility('darwin', gnome, false).visible).toBe(true);
  });

  it.runIf(process.platform !== 'win32')('asks the session bus through gdbus, falling back to dbus-send', async () => {
    const bin = dir();
    const tool = (name: string, out: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\necho "$@" > '${join(bin, `${name}.args`)}'\nprintf '${out}'\n`);
      chmodSync(join(bin, name), 0o755);
    };
    const env = { ...gnome, PATH: bin };
    expect(await hasStatusNotifierWatcher(env)).toBeNull();
    tool('dbus-send', 'method return\\n   boolean true\\n');
    expect(await hasStatusNotifierWatcher(env)).toBe(true);
    tool('gdbus', '(false,)\\n');
    expect(await hasStatusNotifierWatcher(env)).toBe(false);
    expect(readFileSync(join(bin, 'gdbus.args'), 'utf8')).toContain('NameHasOwner org.kde.StatusNotifierWatcher');
    expect(await detectTrayVisibility('linux', env)).toMatchObject({ visible: false });
    expect(await detectTrayVisibility('linux', { ...env, XDG_CURRENT_DESKTOP: 'KDE' })).toMatchObject({ visible: true });
  });
});

describe('second launch', () => {
  function models(): LaunchModels & { added: string[]; started: string[] } {
    const added: string[] = [];
    const started: string[] = [];
    return {
      added,
      started,
      serveFile: (path) => {
        const name = (p: string) =>
          p
            .split('/')
            .pop()!
            .replace(/\.gguf$/, '');
        if (!added.some((p) => name(p) === name(path))) added.push(path);
        return { ensureReady: async () => void started.push(name(path)) };
      },
    };
  }

  it('queues launches that arrive during start-up and hands them over in order once the shell is ready', () => {
    const queue = new LaunchQueue();
    const a: LaunchRequest = { argv: ['--model', 'a.gguf'], cwd: '/w' };
    const b: LaunchRequest = { argv: [], cwd: '/w' };
    queue.receive(a);
    queue.receive(b);
    const seen: LaunchRequest[] = [];
    queue.ready((l) => seen.push(l));
    expect(seen).toEqual([a, b]);
    queue.receive(a);
    expect(seen).toHaveLength(3);
  });

  it('reads the sender’s own argv and cwd, falling back to what Electron passes', () => {
    const sent = launchData(['--model', 'm.gguf'], '/home/u/models');
    expect(launchRequest(['/opt/llama-orch', '--original-process-start-time=1', '--model', 'm.gguf'], '/', sent)).toEqual(sent);
    expect(launchRequest(['/opt/llama-orch', '--model', 'm.gguf'], '/home/u', {})).toEqual({ argv: ['--model', 'm.gguf'], cwd: '/home/u' });
  });

  it('serves a --model relative to the second launch’s folder and brings the window forward', async () => {
    const m = models();
    const showWindow = vi.fn();
    handleLaunch({ argv: ['--model', 'sub/tiny.gguf'], cwd: '/home/u/models' }, { models: m, env: {}, trayShown: () => true, showWindow, log: quietLog });
    expect(m.added).toEqual(['/home/u/models/sub/tiny.gguf']);
    await vi.waitFor(() => expect(m.started).toEqual(['tiny']));
    expect(showWindow).toHaveBeenCalledTimes(1);
    handleLaunch({ argv: ['--model', '/home/u/models/sub/tiny.gguf'], cwd: '/' }, { models: m, env: {}, trayShown: () => true, showWindow, log: quietLog });
    expect(m.added).toHaveLength(1);
  });

  it('stays in the tray for --hidden only when there is a tray, and shows the window on bad arguments', () => {
    const m = models();
    const showWindow = vi.fn();
    handleLaunch({ argv: ['--hidden'], cwd: '/' }, { models: m, env: {}, trayShown: () => true, showWindow, log: quietLog });
    expect(showWindow).not.toHaveBeenCalled();
    handleLaunch({ argv: ['--hidden'], cwd: '/' }, { models: m, env: {}, trayShown: () => false, showWindow, log: quietLog });
    expect(showWindow).toHaveBeenCalledTimes(1);
    handleLaunch({ argv: ['--port', 'x'], cwd: '/' }, { models: m, env: {}, trayShown: () => true, showWindow, log: quietLog });
    expect(showWindow).toHaveBeenCalledTimes(2);
  });
});
