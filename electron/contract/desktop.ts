// What the Electron preload exposes to the renderer as `window.llamaOrch`: named functions only.
// In a browser (headless `serve`) it is absent and the renderer uses its own origin and a session cookie.
import type { Result } from './errors.js';

export interface CoreConnection {
  /** Base URL of the core's HTTP API, e.g. http://127.0.0.1:8585 */
  baseUrl: string;
  /** Admin token for /api/v1/* (sent as a Bearer token). */
  adminToken: string;
}

export interface AppInfo {
  version: string;
  platform: string;
  arch: string;
  electron: string;
  dataDir: string;
}

/** Settings of the desktop shell itself (the core's settings live in the data dir's settings.json). */
export interface DesktopSettings {
  /** Start llama-orch in the tray when the user logs in. */
  openAtLogin: boolean;
  /** Check the update server for new versions (electron-updater). Off unless the user turns it on. */
  autoUpdate: boolean;
  /** Update server (electron-builder `generic` provider); null: the one built into the installer. */
  updateUrl: string | null;
}

/** Why a folder is picked: it decides the dialog's title and whether it may create a folder. */
export type KitFolderPurpose = 'export' | 'import';
export const KIT_FOLDER_PURPOSES = ['export', 'import'] as const satisfies readonly KitFolderPurpose[];

export type DesktopErrorCode = 'invalid_argument' | 'not_found' | 'unsupported' | 'failed';
export type DesktopResult<T> = Result<T, DesktopErrorCode>;

export interface DesktopApi {
  connection(): Promise<CoreConnection>;
  /** Native file dialog for GGUF files; [] when cancelled. */
  pickModelFiles(): Promise<string[]>;
  /** Native folder dialog for an offline kit (export may create the folder); null when cancelled. */
  pickKitFolder(purpose: KitFolderPurpose): Promise<string | null>;
  /** Show a file or folder in the system file manager. */
  revealInFolder(path: string): Promise<DesktopResult<null>>;
  appInfo(): Promise<AppInfo>;
  desktopSettings(): Promise<DesktopSettings>;
  updateDesktopSettings(patch: Partial<DesktopSettings>): Promise<DesktopResult<DesktopSettings>>;
  /** The month's (`YYYY-MM`) printable report as a PDF (Electron's printToPDF), saved where the user picks; null: cancelled. */
  saveReportPdf(month: string): Promise<DesktopResult<string | null>>;
  /**
   * Path on disk of a File from a drop or file input (Electron no longer sets `File.path`); '' for a
   * file that has none. Answered in the preload itself (`webUtils.getPathForFile`): no IPC.
   */
  pathForFile(file: File): string;
}

/** Members the preload answers itself, without a round trip to main. */
export type DesktopLocalKey = 'pathForFile';
/** The members main implements, one IPC channel each. */
export type DesktopIpcApi = Omit<DesktopApi, DesktopLocalKey>;

export const DESKTOP_IPC_KEYS = [
  'connection',
  'pickModelFiles',
  'pickKitFolder',
  'revealInFolder',
  'appInfo',
  'desktopSettings',
  'updateDesktopSettings',
  'saveReportPdf',
] as const satisfies readonly (keyof DesktopIpcApi)[];

export const DESKTOP_LOCAL_KEYS = ['pathForFile'] as const satisfies readonly DesktopLocalKey[];

/** Every name on `window.llamaOrch`. */
export const DESKTOP_API_KEYS = [...DESKTOP_IPC_KEYS, ...DESKTOP_LOCAL_KEYS] as const;

/** IPC channel names used by the preload and main; the only place they are written. */
export const IPC = {
  connection: 'llama-orch:connection',
  pickModelFiles: 'llama-orch:pick-model-files',
  pickKitFolder: 'llama-orch:pick-kit-folder',
  revealInFolder: 'llama-orch:reveal-in-folder',
  appInfo: 'llama-orch:app-info',
  desktopSettings: 'llama-orch:desktop-settings',
  updateDesktopSettings: 'llama-orch:update-desktop-settings',
  saveReportPdf: 'llama-orch:save-report-pdf',
} as const satisfies Record<keyof DesktopIpcApi, string>;

type AssertNever<T extends never> = T;
/** Compile-time check: DESKTOP_API_KEYS names every member of DesktopApi. */
export type DesktopApiKeysAreComplete = AssertNever<Exclude<keyof DesktopApi, (typeof DESKTOP_API_KEYS)[number]>>;
/** Compile-time check: DESKTOP_IPC_KEYS names every member main implements. */
export type DesktopIpcKeysAreComplete = AssertNever<Exclude<keyof DesktopIpcApi, (typeof DESKTOP_IPC_KEYS)[number]>>;
