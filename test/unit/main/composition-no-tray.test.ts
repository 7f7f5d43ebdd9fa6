// The composition root where no tray icon can be seen, with `electron` faked at its import: started
// with --hidden (as at login) on GNOME without an AppIndicator host (asked of a stand-in `gdbus` on
// PATH, run as a real child process), the app must not vanish into a tray icon nobody sees: it shows
// its window, and closing the window only minimizes it. No engine is started here. (A Tray that
// cannot be created at all is covered by tray.test.ts.)
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/tmp.js';
import { fakeElectron } from './fake-electron.js';
import { quitShell, startShell } from './shell-start.js';
import { event } from './fakes.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule);
vi.mock('electron-store', async () => (await import('./shell-start.js')).electronStoreModule);

describe.runIf(process.platform === 'linux')('desktop composition root without a visible tray', () => {
  const data = tempDir('llama-orch-notray-');
  const saved = { argv: process.argv, path: process.env.PATH, desktop: process.env.XDG_CURRENT_DESKTOP };

  beforeAll(async () => {
    writeFileSync(join(data.path, 'gdbus'), "#!/bin/sh\nprintf '(false,)\\n'\n");
    chmodSync(join(data.path, 'gdbus'), 0o755);
    process.env.PATH = `${data.path}:${saved.path ?? ''}`;
    process.env.XDG_CURRENT_DESKTOP = 'GNOME';
    await startShell(data.path, ['--hidden']);
  }, 60_000);

  afterAll(async () => {
    process.env.PATH = saved.path;
    if (saved.desktop === undefined) delete process.env.XDG_CURRENT_DESKTOP;
    else process.env.XDG_CURRENT_DESKTOP = saved.desktop;
    await quitShell(data, saved.argv);
  }, 40_000);

  it('shows the window although started with --hidden, since there is no tray to come back through', () => {
    // Electron made the icon; GNOME just never shows it.
    expect(fakeElectron.trays).toHaveLength(1);
    const win = fakeElectron.windows[0]!;
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);
  });

  it('minimizes instead of closing the window, and still quits (exit 0) when asked', async () => {
    const win = fakeElectron.windows[0]!;
    const close = event();
    win.emit('close', close);
    expect(close.prevented).toBe(true);
    expect(win.calls).toContain('minimize');
    fakeElectron.app.quit();
    await waitFor(() => fakeElectron.app.exits.length > 0, 'the app to exit', 30_000);
    expect(fakeElectron.app.exits).toEqual([0]);
    const after = event();
    win.emit('close', after);
    expect(after.prevented).toBe(false);
  }, 40_000);
});
