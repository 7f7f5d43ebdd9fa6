// Preload (sandboxed, CommonJS): exposes `window.llamaOrch`, named functions only, as the DesktopApi
// contract says. A sandboxed preload can require nothing but `electron`, so the channel table is
// repeated here; `satisfies typeof IPC` makes the compiler hold it equal to the contract's.
// No ipcRenderer, no generic invoke, no Node objects cross the bridge: only these closures.
// `pathForFile` needs no IPC: webUtils reads a dropped File's path in the preload's own world.
import electron = require('electron');
const { contextBridge, ipcRenderer, webUtils } = electron;
import type { DesktopApi, DesktopSettings, IPC as ContractIpc, KitFolderPurpose } from '../contract/desktop.js' with { 'resolution-mode': 'import' };

const IPC = {
  connection: 'llama-orch:connection',
  pickModelFiles: 'llama-orch:pick-model-files',
  pickKitFolder: 'llama-orch:pick-kit-folder',
  revealInFolder: 'llama-orch:reveal-in-folder',
  appInfo: 'llama-orch:app-info',
  desktopSettings: 'llama-orch:desktop-settings',
  updateDesktopSettings: 'llama-orch:update-desktop-settings',
  saveReportPdf: 'llama-orch:save-report-pdf',
} as const satisfies typeof ContractIpc;

const api = {
  connection: () => ipcRenderer.invoke(IPC.connection),
  pickModelFiles: () => ipcRenderer.invoke(IPC.pickModelFiles),
  pickKitFolder: (purpose: KitFolderPurpose) => ipcRenderer.invoke(IPC.pickKitFolder, purpose),
  revealInFolder: (path: string) => ipcRenderer.invoke(IPC.revealInFolder, path),
  appInfo: () => ipcRenderer.invoke(IPC.appInfo),
  desktopSettings: () => ipcRenderer.invoke(IPC.desktopSettings),
  updateDesktopSettings: (patch: Partial<DesktopSettings>) => ipcRenderer.invoke(IPC.updateDesktopSettings, patch),
  saveReportPdf: (month: string) => ipcRenderer.invoke(IPC.saveReportPdf, month),
  pathForFile: (file: File) => webUtils.getPathForFile(file),
} satisfies DesktopApi;

contextBridge.exposeInMainWorld('llamaOrch', api);
