// Desktop settings (validated, persisted, applied, undone on failure), open at login on each
// platform (Linux with a real autostart file), and automatic-update gating.
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DesktopResult, DesktopSettings } from '../../../electron/contract/index.js';
import { DEFAULT_DESKTOP_SETTINGS, DesktopSettingsStore, parseDesktopSettings, settingsEffects } from '../../../electron/main/desktop-settings.js';
import { applyOpenAtLogin, AUTOSTART_FILE, autostartEntry, loginItemDeps, quoteExecArg, type LoginItemDeps } from '../../../electron/main/login-item.js';
import { builtInFeedUrl, feedUrl, startUpdates, type UpdaterSeam } from '../../../electron/main/updates.js';
import { tempDir } from '../../helpers/tmp.js';
import { MemoryStore, quietLog } from './fakes.js';

const ok: DesktopResult<null> = { ok: true, value: null };

describe('desktop settings', () => {
  it('reads defaults from nothing, and keeps valid fields of a damaged file', () => {
    expect(parseDesktopSettings(undefined)).toEqual(DEFAULT_DESKTOP_SETTINGS);
    expect(parseDesktopSettings({ openAtLogin: true, autoUpdate: 'yes', updateUrl: 'ftp://x' })).toEqual({ openAtLogin: true, autoUpdate: false, updateUrl: null });
  });

  it('validates a patch, saves it and applies it', () => {
    const store = new MemoryStore<DesktopSettings>();
    const onChange = vi.fn(() => ok);
    const settings = new DesktopSettingsStore(store, onChange);
    const r = settings.update({ autoUpdate: true, updateUrl: 'https://updates.corp.example/llama-orch' });
    expect(r).toEqual({ ok: true, value: { openAtLogin: false, autoUpdate: true, updateUrl: 'https://updates.corp.example/llama-orch' } });
    expect(store.saved.at(-1)).toEqual(settings.get());
    expect(onChange).toHaveBeenCalledWith(settings.get(), DEFAULT_DESKTOP_SETTINGS);
  });

  it('rejects bad input with the field named and changes nothing', () => {
    const store = new MemoryStore<DesktopSettings>();
    const settings = new DesktopSettingsStore(store, () => ok);
    for (const [patch, field] of [
      [{ openAtLogin: 'yes' }, 'openAtLogin'],
      [{ updateUrl: 'file:///etc/passwd' }, 'updateUrl'],
      [{ nodeIntegration: true }, 'nodeIntegration'],
    ] as const) {
      const r = settings.update(patch);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid_argument');
        expect(r.error.message).toContain(field);
      }
    }
    expect(settings.update('nonsense').ok).toBe(false);
    expect(store.saved).toEqual([]);
    expect(settings.get()).toEqual(DEFAULT_DESKTOP_SETTINGS);
  });

  it('undoes a change that could not be applied and returns why', () => {
    const store = new MemoryStore<DesktopSettings>();
    const settings = new DesktopSettingsStore(store, () => ({ ok: false, error: { code: 'failed', message: 'read-only autostart folder' } }));
    expect(settings.update({ openAtLogin: true })).toEqual({ ok: false, error: { code: 'failed', message: 'read-only autostart folder' } });
    expect(settings.get().openAtLogin).toBe(false);
    expect(store.saved.at(-1)).toEqual(DEFAULT_DESKTOP_SETTINGS);
  });

  it('re-applies only what changed', () => {
    const fx = { openAtLogin: vi.fn(() => ok), updates: vi.fn(), refresh: vi.fn(), log: quietLog };
    const apply = settingsEffects(fx);
    apply({ ...DEFAULT_DESKTOP_SETTINGS, autoUpdate: true }, DEFAULT_DESKTOP_SETTINGS);
    expect(fx.openAtLogin).not.toHaveBeenCalled();
    expect(fx.updates).toHaveBeenCalledTimes(1);
    apply({ ...DEFAULT_DESKTOP_SETTINGS, openAtLogin: true }, DEFAULT_DESKTOP_SETTINGS);
    expect(fx.openAtLogin).toHaveBeenCalledWith(true);
    expect(fx.updates).toHaveBeenCalledTimes(1);
    expect(fx.refresh).toHaveBeenCalledTimes(2);
  });
});

describe('open at login', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  function deps(platform: NodeJS.Platform, over: Partial<LoginItemDeps> = {}): LoginItemDeps & { calls: unknown[] } {
    const dir = tempDir();
    dirs.push(dir);
    const calls: unknown[] = [];
    return { platform, setLoginItemSettings: (s) => calls.push(s), executable: '/opt/llama-orch/llama-orch', launchArgs: [], autostartDir: join(dir.path, 'autostart'), calls, ...over };
  }

  it('writes and removes an XDG autostart entry on Linux that starts in the tray', () => {
    const d = deps('linux', { executable: '/home/me/Apps/llama orch.AppImage' });
    expect(applyOpenAtLogin(true, d)).toEqual(ok);
    const file = join(d.autostartDir, AUTOSTART_FILE);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Exec="/home/me/Apps/llama orch.AppImage" --hidden\n');
    expect(applyOpenAtLogin(false, d)).toEqual(ok);
    expect(existsSync(file)).toBe(false);
    expect(applyOpenAtLogin(false, d)).toEqual(ok);
    expect(d.calls).toEqual([]);
  });

  it('uses Electron login items on Windows (hidden start) and macOS', () => {
    const win = deps('win32', { executable: 'C:\\Program Files\\llama-orch\\llama-orch.exe' });
    applyOpenAtLogin(true, win);
    expect(win.calls).toEqual([{ openAtLogin: true, path: 'C:\\Program Files\\llama-orch\\llama-orch.exe', args: ['--hidden'] }]);
    const mac = deps('darwin');
    applyOpenAtLogin(false, mac);
    expect(mac.calls).toEqual([{ openAtLogin: false }]);
  });

  it('passes the app folder when running unpackaged (electron .)', () => {
    const d = deps('win32', { launchArgs: ['C:\\src\\llama-orch'] });
    applyOpenAtLogin(true, d);
    expect(d.calls).toEqual([expect.objectContaining({ args: ['C:\\src\\llama-orch', '--hidden'] })]);
  });

  it('reports failures and unsupported platforms as results', () => {
    const broken = deps('linux');
    // A file where the autostart folder should be: mkdir fails with ENOTDIR.
    writeFileSync(join(broken.autostartDir, '..', 'blocker'), '');
    broken.autostartDir = join(broken.autostartDir, '..', 'blocker', 'autostart');
    const r = applyOpenAtLogin(true, broken);
    expect(r).toMatchObject({ ok: false, error: { code: 'failed' } });
    expect(applyOpenAtLogin(true, deps('aix'))).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('launches the AppImage (not its temporary mount) and, unpackaged, passes the app folder', () => {
    const app = { isPackaged: true, getAppPath: () => '/tmp/.mount_x/resources/app.asar', setLoginItemSettings: () => {} };
    const packaged = loginItemDeps(app, { platform: 'linux', execPath: '/tmp/.mount_x/llama-orch', env: { APPIMAGE: '/home/u/llama-orch.AppImage' } }, '/home/u');
    expect(packaged).toMatchObject({ executable: '/home/u/llama-orch.AppImage', launchArgs: [], autostartDir: '/home/u/.config/autostart' });
    const dev = loginItemDeps(
      { ...app, isPackaged: false, getAppPath: () => '/src/llama-orch' },
      { platform: 'linux', execPath: '/src/node_modules/electron/dist/electron', env: { XDG_CONFIG_HOME: '/cfg' } },
      '/home/u',
    );
    expect(dev).toMatchObject({ executable: '/src/node_modules/electron/dist/electron', launchArgs: ['/src/llama-orch'], autostartDir: '/cfg/autostart' });
  });

  it('quotes Exec arguments as the desktop entry spec requires', () => {
    expect(quoteExecArg('/usr/bin/llama-orch')).toBe('/usr/bin/llama-orch');
    expect(quoteExecArg('/a b/$x"`\\')).toBe('"/a b/\\$x\\"\\`\\\\"');
    expect(autostartEntry('/x', ['--hidden'])).toMatch(/^Exec=\/x --hidden$/m);
  });
});

describe('automatic updates', () => {
  class FakeUpdater extends EventEmitter implements UpdaterSeam {
    autoDownload = false;
    autoInstallOnAppQuit = false;
    feeds: unknown[] = [];
    checks = 0;
    failNext: Error | null = null;
    setFeedURL(o: unknown) {
      this.feeds.push(o);
    }
    /** Like electron-updater: a failed check rejects *and* emits 'error'. */
    checkForUpdates() {
      this.checks++;
      const err = this.failNext;
      this.failNext = null;
      if (!err) return Promise.resolve(null);
      this.emit('error', err);
      return Promise.reject(err);
    }
  }
  const fakeUpdater = () => new FakeUpdater();

  it('takes the URL from the setting, then the environment, then the build; the placeholder counts as none', () => {
    const built = 'https://updates.llama-orch.invalid/llama-orch';
    expect(feedUrl({ updateUrl: 'https://a.example/u' }, { LLAMA_ORCH_UPDATE_URL: 'https://b.example/u' }, 'https://c.example/u')).toBe('https://a.example/u');
    expect(feedUrl({ updateUrl: null }, { LLAMA_ORCH_UPDATE_URL: 'https://b.example/u' }, 'https://c.example/u')).toBe('https://b.example/u');
    expect(feedUrl({ updateUrl: null }, {}, 'https://c.example/u')).toBe('https://c.example/u');
    expect(feedUrl({ updateUrl: null }, {}, built)).toBeNull();
    expect(builtInFeedUrl('provider: generic\nurl: https://c.example/u\nupdaterCacheDirName: x\n')).toBe('https://c.example/u');
    expect(builtInFeedUrl(null)).toBeNull();
  });

  it('does not load the updater at all while the setting is off (the default)', async () => {
    const loadUpdater = vi.fn(async () => fakeUpdater());
    await startUpdates(DEFAULT_DESKTOP_SETTINGS, 'https://a.example/u', { loadUpdater, isPackaged: true, log: quietLog });
    expect(loadUpdater).not.toHaveBeenCalled();
  });

  it('does not check from development builds or without a real server', async () => {
    const loadUpdater = vi.fn(async () => fakeUpdater());
    const on = { ...DEFAULT_DESKTOP_SETTINGS, autoUpdate: true };
    await startUpdates(on, 'https://a.example/u', { loadUpdater, isPackaged: false, log: quietLog });
    await startUpdates(on, null, { loadUpdater, isPackaged: true, log: quietLog });
    expect(loadUpdater).not.toHaveBeenCalled();
  });

  it('makes no check in offline mode, at start or on the interval after offline mode is turned on', async () => {
    const loadUpdater = vi.fn(async () => fakeUpdater());
    const on = { ...DEFAULT_DESKTOP_SETTINGS, autoUpdate: true };
    await startUpdates(on, 'https://a.example/u', { loadUpdater, isPackaged: true, log: quietLog, offline: () => true });
    expect(loadUpdater).not.toHaveBeenCalled();
    vi.useFakeTimers();
    try {
      let offline = false;
      const updater = fakeUpdater();
      const stop = await startUpdates(on, 'https://a.example/u', { loadUpdater: async () => updater, isPackaged: true, log: quietLog, intervalMs: 1000, offline: () => offline });
      expect(updater.checks).toBe(1);
      offline = true;
      await vi.advanceTimersByTimeAsync(3000);
      expect(updater.checks).toBe(1);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('points electron-updater at the generic server, checks now and on an interval until stopped', async () => {
    vi.useFakeTimers();
    try {
      const updater = fakeUpdater();
      const stop = await startUpdates({ ...DEFAULT_DESKTOP_SETTINGS, autoUpdate: true }, 'https://a.example/u', {
        loadUpdater: async () => updater,
        isPackaged: true,
        log: quietLog,
        intervalMs: 1000,
      });
      expect(updater.feeds).toEqual([{ provider: 'generic', url: 'https://a.example/u' }]);
      expect(updater.autoDownload).toBe(true);
      expect(updater.checks).toBe(1);
      await vi.advanceTimersByTimeAsync(2000);
      expect(updater.checks).toBe(3);
      stop();
      await vi.advanceTimersByTimeAsync(5000);
      expect(updater.checks).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs a failed update instead of leaving an unhandled error, and stops listening when stopped', async () => {
    const updater = fakeUpdater();
    updater.failNext = new Error('ZIP file not provided');
    const log = { ...quietLog, lines: [] as typeof quietLog.lines };
    const stop = await startUpdates({ ...DEFAULT_DESKTOP_SETTINGS, autoUpdate: true }, 'https://a.example/u', { loadUpdater: async () => updater, isPackaged: true, log });
    await vi.waitFor(() => expect(log.lines.some((l) => l.msg === 'update failed' && l.fields.err === 'ZIP file not provided')).toBe(true));
    // A download or install failure arrives as an 'error' event only; without a listener emit() throws.
    expect(() => updater.emit('error', new Error('install failed'))).not.toThrow();
    stop();
    expect(updater.listenerCount('error')).toBe(0);
    expect(updater.listenerCount('appimage-filename-updated')).toBe(0);
  });

  it('passes on the AppImage’s new name after an update', async () => {
    const updater = fakeUpdater();
    const renamed: string[] = [];
    await startUpdates({ ...DEFAULT_DESKTOP_SETTINGS, autoUpdate: true }, 'https://a.example/u', {
      loadUpdater: async () => updater,
      isPackaged: true,
      log: quietLog,
      onAppImageRenamed: (p) => renamed.push(p),
    });
    updater.emit('appimage-filename-updated', '/home/u/Apps/llama-orch-0.2.0-x86_64.AppImage');
    expect(renamed).toEqual(['/home/u/Apps/llama-orch-0.2.0-x86_64.AppImage']);
  });
});
