// Electron main process: the composition root of the desktop app. Starts the core in-process with
// the app-data dir, then opens the window. Logic lives in the small modules beside this file.
import { app, BrowserWindow, ipcMain } from 'electron';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC, type CoreConnection } from '../contract/index.js';
import { Core } from '../core/core.js';
import { defaultDataDir } from '../core/paths.js';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  const core = new Core({ dataDir: defaultDataDir(), port: 8585, adminToken: randomBytes(32).toString('base64url') });
  const baseUrl = await core.listen();
  const connection: CoreConnection = { baseUrl, adminToken: core.auth.adminToken };
  ipcMain.handle(IPC.connection, () => connection);

  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, preload: join(here, '..', 'preload', 'index.cjs') },
  });
  await win.loadURL(baseUrl);

  app.on('before-quit', (event) => {
    event.preventDefault();
    void core.stop().finally(() => app.exit(0));
  });
}

void main();
