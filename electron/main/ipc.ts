// The main-process side of the DesktopApi: one handler per contract channel, nothing else. Each call
// is checked to come from the app's own page (the core's origin), and arguments are validated here,
// at the boundary, before any handler sees them. Failures return a Result, never a thrown rich error.
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import {
  DESKTOP_IPC_KEYS,
  IPC,
  KIT_FOLDER_PURPOSES,
  type AppInfo,
  type CoreConnection,
  type DesktopIpcApi,
  type DesktopResult,
  type DesktopSettings,
  type KitFolderPurpose,
} from '../contract/index.js';
import { MONTH, saveReportPdf, type ReportPdfDeps } from './report-pdf.js';
import { isSameOrigin } from './security.js';
import type { Logger } from './seam.js';

export interface IpcEventLike {
  senderFrame?: { url: string } | null;
}

export interface IpcMainSeam {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** What the handlers do; arguments arrive already validated. (pathForFile is answered in the preload.) */
export type DesktopHandlers = { [K in keyof DesktopIpcApi]: (...args: Parameters<DesktopIpcApi[K]>) => Awaited<ReturnType<DesktopIpcApi[K]>> | ReturnType<DesktopIpcApi[K]> };

function invalid(message: string): DesktopResult<never> {
  return { ok: false, error: { code: 'invalid_argument', message } };
}

/** Per channel: turn raw IPC arguments into the handler's arguments, or a Result error. */
const VALIDATE: { [K in keyof DesktopIpcApi]: (args: unknown[]) => Parameters<DesktopIpcApi[K]> | DesktopResult<never> } = {
  connection: () => [],
  pickModelFiles: () => [],
  pickKitFolder: ([purpose]) =>
    KIT_FOLDER_PURPOSES.includes(purpose as KitFolderPurpose)
      ? [purpose as KitFolderPurpose]
      : invalid(`pickKitFolder: purpose must be one of ${KIT_FOLDER_PURPOSES.join(', ')}, got ${String(purpose)}`),
  appInfo: () => [],
  desktopSettings: () => [],
  revealInFolder: ([path]) => {
    if (typeof path !== 'string' || !path) return invalid('revealInFolder: path must be a non-empty string');
    if (!isAbsolute(path)) return invalid(`revealInFolder: path must be absolute, got ${path}`);
    return [path];
  },
  // The settings store validates the patch itself (it is also used by the tray).
  updateDesktopSettings: ([patch]) => [patch as never],
  saveReportPdf: ([month]) => (typeof month === 'string' && MONTH.test(month) ? [month] : invalid(`saveReportPdf: month must look like 2026-11, got ${JSON.stringify(month)}`)),
};

export function registerDesktopIpc(ipc: IpcMainSeam, handlers: DesktopHandlers, opts: { appOrigin: () => string | null; log: Logger }): () => void {
  for (const key of DESKTOP_IPC_KEYS) {
    const channel = IPC[key];
    ipc.handle(channel, (event, ...raw) => {
      const origin = opts.appOrigin();
      const from = event.senderFrame?.url ?? '';
      if (!origin || !isSameOrigin(from, origin)) {
        opts.log.warn({ channel }, 'refused IPC from a page outside the app');
        throw new Error(`${channel}: not allowed from this page`);
      }
      const args = VALIDATE[key](raw);
      if (!Array.isArray(args)) return args;
      return (handlers[key] as (...a: unknown[]) => unknown)(...args);
    });
  }
  return () => {
    for (const key of DESKTOP_IPC_KEYS) ipc.removeHandler(IPC[key]);
  };
}

/** revealInFolder's work: only paths that exist. */
export function revealPath(path: string, showItemInFolder: (path: string) => void): DesktopResult<null> {
  if (!existsSync(path)) return { ok: false, error: { code: 'not_found', message: `no such file or folder: ${path}` } };
  showItemInFolder(path);
  return { ok: true, value: null };
}

export const MODEL_FILE_DIALOG = {
  title: 'Add models',
  properties: ['openFile', 'multiSelections'] as ('openFile' | 'multiSelections')[],
  filters: [{ name: 'GGUF models', extensions: ['gguf'] }],
};

/** The kit folder dialogs: an export may go to a new folder on the stick; an import opens one that exists. */
export const KIT_FOLDER_DIALOGS: Record<KitFolderPurpose, OpenDialogOptions> = {
  export: { title: 'Export the offline kit to a folder', properties: ['openDirectory', 'createDirectory'] },
  import: { title: 'Import an offline kit from a folder', properties: ['openDirectory'] },
};

/** The part of Electron's OpenDialogOptions the app uses. */
export interface OpenDialogOptions {
  title: string;
  properties: ('openFile' | 'openDirectory' | 'multiSelections' | 'createDirectory')[];
  filters?: { name: string; extensions: string[] }[];
}

export interface HandlerDeps {
  connection(): CoreConnection;
  showOpenDialog(options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
  showItemInFolder(path: string): void;
  appInfo(): AppInfo;
  settings: { get(): DesktopSettings; update(patch: unknown): DesktopResult<DesktopSettings> };
  reportPdf: Omit<ReportPdfDeps, 'connection'>;
}

/** The DesktopApi implemented with the Electron pieces the root hands in. */
export function desktopHandlers(deps: HandlerDeps): DesktopHandlers {
  return {
    connection: () => deps.connection(),
    pickModelFiles: async () => {
      const r = await deps.showOpenDialog(MODEL_FILE_DIALOG);
      return r.canceled ? [] : r.filePaths;
    },
    pickKitFolder: async (purpose) => {
      const r = await deps.showOpenDialog(KIT_FOLDER_DIALOGS[purpose]);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    revealInFolder: (path) => revealPath(path, deps.showItemInFolder),
    appInfo: () => deps.appInfo(),
    desktopSettings: () => deps.settings.get(),
    updateDesktopSettings: (patch) => deps.settings.update(patch),
    saveReportPdf: (month) => saveReportPdf(month, { ...deps.reportPdf, connection: deps.connection }),
  };
}
