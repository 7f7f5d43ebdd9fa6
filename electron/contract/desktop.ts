// What the Electron preload exposes to the renderer as `window.llamaOrch`: named functions only.
// In a browser (headless `serve`) it is absent and the renderer uses its own origin and a session cookie.

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

export interface DesktopApi {
  connection(): Promise<CoreConnection>;
  pickModelFiles(): Promise<string[]>;
  revealInFolder(path: string): Promise<void>;
  appInfo(): Promise<AppInfo>;
}

export const DESKTOP_API_KEYS = ['connection', 'pickModelFiles', 'revealInFolder', 'appInfo'] as const satisfies readonly (keyof DesktopApi)[];

/** IPC channel names used by the preload and main; the only place they are written. */
export const IPC = {
  connection: 'llama-orch:connection',
  pickModelFiles: 'llama-orch:pick-model-files',
  revealInFolder: 'llama-orch:reveal-in-folder',
  appInfo: 'llama-orch:app-info',
} as const satisfies Record<keyof DesktopApi, string>;
