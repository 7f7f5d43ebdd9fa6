// The slices of Electron the main-process modules use, as narrow interfaces. Modules take these as
// parameters instead of importing `electron`, so unit tests drive them with small fakes; only the
// composition root (index.ts) passes the real objects, and the compiler checks they fit.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Electron's `Event`: only what the guards call. */
export interface PreventableEvent {
  preventDefault(): void;
}

export interface HeadersDetails {
  url: string;
  responseHeaders?: Record<string, string[]>;
}

export interface HeadersResponse {
  responseHeaders?: Record<string, string[] | string>;
  cancel?: boolean;
}

export interface SessionSeam {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  webRequest: {
    onHeadersReceived(listener: (details: HeadersDetails, callback: (response: HeadersResponse) => void) => void): void;
  };
}

export interface WebContentsSeam {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent & { url: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

export interface WindowSeam {
  readonly webContents: WebContentsSeam;
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'closed', listener: () => void): unknown;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  once(event: 'ready-to-show' | 'show', listener: () => void): unknown;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  maximize(): void;
  minimize(): void;
  isMinimized(): boolean;
  isMaximized(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rect;
}

/** The quit-related part of `app`. */
export interface AppQuitSeam {
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  exit(code?: number): void;
}

/** A persisted value (electron-store under the hood). */
export interface Persisted<T> {
  load(): unknown;
  save(value: T): void;
}

export interface Logger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

/** Structured lines on stderr (the main process has no other log sink yet). */
export const consoleLogger: Logger = {
  info: (fields, msg) => process.stderr.write(`${JSON.stringify({ level: 'info', msg, ...fields })}\n`),
  warn: (fields, msg) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...fields })}\n`),
  error: (fields, msg) => process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...fields })}\n`),
};
