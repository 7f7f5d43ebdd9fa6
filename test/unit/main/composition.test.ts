// The composition root (electron/main/index.ts) run in plain Node with the `electron` module faked at
// its one import (and electron-store, which imports electron itself): the real core starts with the
// real engine and model, the window gets the secure options and the core's URL, exactly the contract's
// IPC channels answer, and Quit from the tray stops the engine before the app exits. The real
// Electron run of the same path is test/e2e/electron.test.ts.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC, type CoreConnection, type InstanceListResponse } from '../../../electron/contract/index.js';
import { UI_CSP } from '../../../electron/main/security.js';
import { testEnginePath } from '../../helpers/engine.js';
import { ROOT, STORIES_MODEL } from '../../helpers/paths.js';
import { isAlive, waitFor } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/tmp.js';
import { fakeElectron } from './fake-electron.js';
import { quitShell, startShell } from './shell-start.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule);
vi.mock('electron-store', async () => (await import('./shell-start.js')).electronStoreModule);

describe('desktop composition root', () => {
  const data = tempDir('llama-orch-shell-');
  const argv = process.argv;
  let connection: CoreConnection;

  beforeAll(async () => {
    await startShell(data.path, ['--engine', testEnginePath(), '--model', STORIES_MODEL], () => {
      // A second launch while the core is still starting, naming another model by a relative path.
      copyFileSync(STORIES_MODEL, join(data.path, 'second.gguf'));
      fakeElectron.app.emit('second-instance', {}, [process.execPath, '--model', 'second.gguf'], '/', { argv: ['--model', 'second.gguf'], cwd: data.path });
    });
    const invoke = fakeElectron.handlers.get(IPC.connection)!;
    connection = (await invoke({ senderFrame: { url: `${fakeElectron.windows[0]!.loaded[0]}` } })) as CoreConnection;
  }, 60_000);

  afterAll(() => quitShell(data, argv), 40_000);

  it('keeps Chromium’s profile and the shell’s stores in the data dir', () => {
    expect(fakeElectron.app.paths.get('userData')).toBe(join(data.path, 'desktop'));
  });

  it('opens one secure window on the core’s URL, with the session hardened', async () => {
    expect(fakeElectron.windows).toHaveLength(1);
    const win = fakeElectron.windows[0]!;
    expect(win.options).toMatchObject({
      show: false,
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, preload: expect.stringMatching(/[/\\]preload[/\\]index\.cjs$/) },
    });
    expect(win.loaded).toEqual([connection.baseUrl]);
    expect((await fetch(`${connection.baseUrl}/healthz`)).status).toBe(200);
    const session = (await import('./fake-electron.js')).electronModule.session.defaultSession;
    expect(session.request('media')).toBe(false);
    expect(session.headers(connection.baseUrl, {}).responseHeaders).toEqual({ 'Content-Security-Policy': [UI_CSP] });
    // The window's contents were guarded when they were created.
    expect(win.webContents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(win.webContents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
  });

  it('answers exactly the contract’s IPC channels, with a working admin token', async () => {
    expect([...fakeElectron.handlers.keys()].sort()).toEqual(Object.values(IPC).sort());
    const res = await fetch(`${connection.baseUrl}/api/v1/instances`, { headers: { authorization: `Bearer ${connection.adminToken}` } });
    expect(res.status).toBe(200);
  });

  it('keeps a second launch made during start-up: its model is served and the window comes forward', async () => {
    const res = await fetch(`${connection.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${connection.adminToken}` } });
    const ids = ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['stories260K', 'second']));
    expect(fakeElectron.windows).toHaveLength(1);
    expect(fakeElectron.windows[0]!.calls).toContain('focus');
  });

  it('shows the engine in the tray once it is ready', async () => {
    const tray = fakeElectron.trays[0]!;
    expect(tray.icon).toBe(join(ROOT, 'resources', 'tray', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray-idle.png'));
    await waitFor(() => tray.menu?.items[0]?.label?.includes('2 engines running'), 'tray to show both engines', 30_000);
  }, 40_000);

  it('stops the engines when Quit is chosen in the tray, then exits with 0', async () => {
    const list = (await (await fetch(`${connection.baseUrl}/api/v1/instances`, { headers: { authorization: `Bearer ${connection.adminToken}` } })).json()) as InstanceListResponse;
    const pids = list.data.map((i) => i.pid ?? 0);
    expect(pids).toHaveLength(2);
    expect(pids.every((p) => p > 0)).toBe(true);
    let aliveAtExit: boolean | null = null;
    const exit = fakeElectron.app.exit.bind(fakeElectron.app);
    fakeElectron.app.exit = (code = 0) => {
      aliveAtExit = pids.some((p) => isAlive(p));
      exit(code);
    };
    fakeElectron.trays[0]!.menu!.items.find((i) => i.label?.startsWith('Quit'))!.click!();
    await waitFor(() => fakeElectron.app.exits.length > 0, 'the app to exit', 30_000);
    expect(fakeElectron.app.exits).toEqual([0]);
    expect(aliveAtExit).toBe(false);
    await expect(fetch(`${connection.baseUrl}/healthz`)).rejects.toThrow();
  }, 40_000);
});
