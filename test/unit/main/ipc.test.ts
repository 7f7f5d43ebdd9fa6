// The main-process side of the DesktopApi: exactly the contract's channels, callers checked, arguments
// validated, failures returned as results; and the startup arguments the app understands.
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DESKTOP_IPC_KEYS, IPC, type DesktopSettings } from '../../../electron/contract/index.js';
import { DEFAULT_DESKTOP_SETTINGS, DesktopSettingsStore } from '../../../electron/main/desktop-settings.js';
import { desktopHandlers, KIT_FOLDER_DIALOGS, MODEL_FILE_DIALOG, registerDesktopIpc, type IpcEventLike, type IpcMainSeam } from '../../../electron/main/ipc.js';
import { parseStartup, StartupError } from '../../../electron/main/startup.js';
import { STORIES_MODEL } from '../../helpers/paths.js';
import { MemoryStore, quietLog } from './fakes.js';

const APP = 'http://127.0.0.1:8585';
const NO_PDF = {
  fetch: (() => Promise.reject(new Error('no core here'))) as typeof fetch,
  openWindow: () => {
    throw new Error('no window here');
  },
  showSaveDialog: async () => ({ canceled: true }),
  downloadsDir: () => '/tmp',
};

class FakeIpcMain implements IpcMainSeam {
  handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Invoke as the renderer would, from a frame at `from`. */
  invoke(channel: string, from: string | null, ...args: unknown[]): unknown {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h({ senderFrame: from === null ? null : { url: from } }, ...args);
  }
}

function setup(dialogResult = { canceled: false, filePaths: ['/m/a.gguf', '/m/b.gguf'] }) {
  const ipc = new FakeIpcMain();
  const shown: string[] = [];
  const dialogs: unknown[] = [];
  const settings = new DesktopSettingsStore(new MemoryStore<DesktopSettings>(), () => ({ ok: true, value: null }));
  const unregister = registerDesktopIpc(
    ipc,
    desktopHandlers({
      connection: () => ({ baseUrl: APP, adminToken: 'secret' }),
      showOpenDialog: async (o) => (dialogs.push(o), dialogResult),
      showItemInFolder: (p) => shown.push(p),
      appInfo: () => ({ version: '0.1.0', platform: 'linux', arch: 'x64', electron: '45.4.1', dataDir: '/d' }),
      settings,
      reportPdf: NO_PDF,
    }),
    { appOrigin: () => APP, log: quietLog },
  );
  return { ipc, shown, dialogs, unregister };
}

describe('desktop IPC', () => {
  it('handles exactly the contract channels and removes them all again', () => {
    const { ipc, unregister } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(DESKTOP_IPC_KEYS.map((k) => IPC[k]).sort());
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });

  it('answers the app’s own page', async () => {
    const { ipc } = setup();
    expect(await ipc.invoke(IPC.connection, `${APP}/`)).toEqual({ baseUrl: APP, adminToken: 'secret' });
    expect(await ipc.invoke(IPC.desktopSettings, `${APP}/settings`)).toEqual(DEFAULT_DESKTOP_SETTINGS);
  });

  it('refuses every channel to pages from another origin or without a frame', () => {
    const { ipc } = setup();
    for (const channel of Object.values(IPC)) {
      expect(() => ipc.invoke(channel, 'https://evil.example/'), channel).toThrow(/not allowed/);
      expect(() => ipc.invoke(channel, null), channel).toThrow(/not allowed/);
      expect(() => ipc.invoke(channel, 'http://127.0.0.1:9999/'), channel).toThrow(/not allowed/);
    }
  });

  it('returns picked GGUF files, or none when the dialog is cancelled', async () => {
    const picked = setup();
    expect(await picked.ipc.invoke(IPC.pickModelFiles, APP)).toEqual(['/m/a.gguf', '/m/b.gguf']);
    expect(picked.dialogs).toEqual([MODEL_FILE_DIALOG]);
    expect(MODEL_FILE_DIALOG.filters).toEqual([{ name: 'GGUF models', extensions: ['gguf'] }]);
    const cancelled = setup({ canceled: true, filePaths: ['/ignored'] });
    expect(await cancelled.ipc.invoke(IPC.pickModelFiles, APP)).toEqual([]);
  });

  it('picks a kit folder with a dialog per purpose (export may create one), or null when cancelled', async () => {
    const picked = setup({ canceled: false, filePaths: ['/media/usb/kit'] });
    expect(await picked.ipc.invoke(IPC.pickKitFolder, APP, 'export')).toBe('/media/usb/kit');
    expect(await picked.ipc.invoke(IPC.pickKitFolder, APP, 'import')).toBe('/media/usb/kit');
    expect(picked.dialogs).toEqual([KIT_FOLDER_DIALOGS.export, KIT_FOLDER_DIALOGS.import]);
    expect(KIT_FOLDER_DIALOGS.export.properties).toEqual(['openDirectory', 'createDirectory']);
    expect(KIT_FOLDER_DIALOGS.import.properties).toEqual(['openDirectory']);
    const cancelled = setup({ canceled: true, filePaths: ['/ignored'] });
    expect(await cancelled.ipc.invoke(IPC.pickKitFolder, APP, 'import')).toBeNull();
  });

  it('refuses a kit folder pick for an unknown purpose without opening a dialog', async () => {
    const s = setup();
    expect(await s.ipc.invoke(IPC.pickKitFolder, APP, 'delete-everything')).toEqual({
      ok: false,
      error: { code: 'invalid_argument', message: expect.stringMatching(/purpose must be one of export, import/) },
    });
    expect(await s.ipc.invoke(IPC.pickKitFolder, APP)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(s.dialogs).toEqual([]);
  });

  it('reveals an existing absolute path; refuses relative, missing and non-string paths with a result', async () => {
    const { ipc, shown } = setup();
    expect(await ipc.invoke(IPC.revealInFolder, APP, STORIES_MODEL)).toEqual({ ok: true, value: null });
    expect(shown).toEqual([STORIES_MODEL]);
    expect(await ipc.invoke(IPC.revealInFolder, APP, 'models/a.gguf')).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await ipc.invoke(IPC.revealInFolder, APP, 42)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await ipc.invoke(IPC.revealInFolder, APP)).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await ipc.invoke(IPC.revealInFolder, APP, '/no/such/file.gguf')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(shown).toEqual([STORIES_MODEL]);
  });

  it('updates desktop settings through validation', async () => {
    const { ipc } = setup();
    expect(await ipc.invoke(IPC.updateDesktopSettings, APP, { autoUpdate: true })).toMatchObject({ ok: true, value: { autoUpdate: true } });
    expect(await ipc.invoke(IPC.updateDesktopSettings, APP, { autoUpdate: 'please' })).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await ipc.invoke(IPC.desktopSettings, APP)).toMatchObject({ autoUpdate: true });
  });

  it('refuses a report PDF for a malformed month before anything is fetched', async () => {
    const { ipc } = setup();
    for (const month of ['2026-13', '26-11', 42, undefined]) {
      expect(await ipc.invoke(IPC.saveReportPdf, APP, month)).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: expect.stringMatching(/month must look like 2026-11/) } });
    }
    expect(await ipc.invoke(IPC.saveReportPdf, APP, '2026-11')).toMatchObject({ ok: false, error: { code: 'failed', message: 'the core did not answer: no core here' } });
  });

  it('ignores extra arguments a page sends to argument-less calls', async () => {
    const connection = vi.fn(() => ({ baseUrl: APP, adminToken: 't' }));
    const ipc = new FakeIpcMain();
    const handlers = desktopHandlers({
      connection,
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showItemInFolder: () => {},
      appInfo: () => ({ version: '', platform: '', arch: '', electron: '', dataDir: '' }),
      settings: { get: () => DEFAULT_DESKTOP_SETTINGS, update: () => ({ ok: true, value: DEFAULT_DESKTOP_SETTINGS }) },
      reportPdf: NO_PDF,
    });
    registerDesktopIpc(ipc, handlers, { appOrigin: () => APP, log: quietLog });
    await ipc.invoke(IPC.connection, APP, 'extra', { x: 1 });
    expect(connection).toHaveBeenCalledWith();
  });
});

describe('startup arguments', () => {
  it('reads models, engine, data dir, port and --hidden, ignoring Chromium switches', () => {
    const o = parseStartup(['.', '--no-sandbox', '--model', 'a.gguf', '--model=/m/b.gguf', '--engine', '/e/llama-server', '--data-dir', 'd', '--port', '0', '--hidden', '--enable-logging'], {});
    expect(o).toEqual({ models: [resolve('a.gguf'), '/m/b.gguf'], enginePath: '/e/llama-server', dataDir: resolve('d'), port: 0, hidden: true });
  });

  it('uses the data dir and port from the environment, else the platform default and the settings port', () => {
    expect(parseStartup([], { LLAMA_ORCH_DATA_DIR: '/data', LLAMA_ORCH_PORT: '9000' })).toMatchObject({ dataDir: '/data', port: 9000, hidden: false });
    const o = parseStartup([], { HOME: '/home/u', XDG_DATA_HOME: '' });
    expect(o.port).toBeUndefined();
    expect(o.dataDir).toMatch(/llama-orch$/);
  });

  it('rejects a bad port with a message that names where it came from', () => {
    expect(() => parseStartup(['--port', 'eighty'], {})).toThrow(StartupError);
    expect(() => parseStartup(['--port', '70000'], {})).toThrow(/--port: port must be an integer from 0 to 65535, got "70000"/);
    expect(() => parseStartup([], { LLAMA_ORCH_PORT: '-1' })).toThrow(/LLAMA_ORCH_PORT/);
  });

  it('keeps a data dir given on the command line over the environment', () => {
    expect(parseStartup(['--data-dir', '/x'], { LLAMA_ORCH_DATA_DIR: '/y' }).dataDir).toBe(join('/x'));
  });
});
