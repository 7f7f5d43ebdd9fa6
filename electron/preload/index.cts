// Preload (sandboxed, CommonJS): exposes named functions only, as the DesktopApi contract says.
import electron = require('electron');
const { contextBridge, ipcRenderer } = electron;
import type { DesktopApi } from '../contract/desktop.js' with { 'resolution-mode': 'import' };

const IPC = {
  connection: 'llama-orch:connection',
  pickModelFiles: 'llama-orch:pick-model-files',
  revealInFolder: 'llama-orch:reveal-in-folder',
  appInfo: 'llama-orch:app-info',
} as const;

const api = {
  connection: () => ipcRenderer.invoke(IPC.connection),
  pickModelFiles: () => ipcRenderer.invoke(IPC.pickModelFiles),
  revealInFolder: (path: string) => ipcRenderer.invoke(IPC.revealInFolder, path),
  appInfo: () => ipcRenderer.invoke(IPC.appInfo),
} satisfies DesktopApi;

contextBridge.exposeInMainWorld('llamaOrch', api);
