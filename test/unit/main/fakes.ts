// Recording fakes of the Electron slices in electron/main/seam.ts, for the main-process unit tests.
import { EventEmitter } from 'node:events';
import type { HeadersDetails, HeadersResponse, Logger, PreventableEvent, Rect, SessionSeam, WebContentsSeam, WindowSeam } from '../../../electron/main/seam.js';

export const quietLog: Logger & { lines: { level: string; msg: string; fields: Record<string, unknown> }[] } = {
  lines: [],
  info(fields, msg) {
    this.lines.push({ level: 'info', msg, fields });
  },
  warn(fields, msg) {
    this.lines.push({ level: 'warn', msg, fields });
  },
  error(fields, msg) {
    this.lines.push({ level: 'error', msg, fields });
  },
};

export function event(url = ''): PreventableEvent & { url: string; prevented: boolean } {
  return {
    url,
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

export class FakeSession implements SessionSeam {
  requestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
  checkHandler: ((wc: unknown, permission: string) => boolean) | null = null;
  headersListener: ((details: HeadersDetails, cb: (r: HeadersResponse) => void) => void) | null = null;

  setPermissionRequestHandler(h: NonNullable<FakeSession['requestHandler']>): void {
    this.requestHandler = h;
  }
  setPermissionCheckHandler(h: NonNullable<FakeSession['checkHandler']>): void {
    this.checkHandler = h;
  }
  webRequest = {
    onHeadersReceived: (l: NonNullable<FakeSession['headersListener']>) => {
      this.headersListener = l;
    },
  };

  /** Ask the installed request handler, as Chromium would. */
  request(permission: string): boolean {
    let granted: boolean | null = null;
    this.requestHandler?.(null, permission, (g) => (granted = g));
    if (granted === null) throw new Error('permission handler did not answer');
    return granted;
  }

  headers(url: string, responseHeaders: Record<string, string[]>): HeadersResponse {
    let out: HeadersResponse | null = null;
    this.headersListener?.({ url, responseHeaders }, (r) => (out = r));
    if (!out) throw new Error('headers listener did not answer');
    return out;
  }
}

export class FakeWebContents extends EventEmitter implements WebContentsSeam {
  openHandler: ((d: { url: string }) => { action: 'deny' } | { action: 'allow' }) | null = null;
  setWindowOpenHandler(h: NonNullable<FakeWebContents['openHandler']>): void {
    this.openHandler = h;
  }
  /** Fire a navigation-like event; returns whether a listener prevented it. */
  navigate(kind: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url = ''): boolean {
    const e = event(url);
    this.emit(kind, e);
    return e.prevented;
  }
}

export class FakeWindow extends EventEmitter implements WindowSeam {
  readonly webContents = new FakeWebContents();
  calls: string[] = [];
  loaded: string[] = [];
  bounds: Rect = { x: 10, y: 20, width: 1000, height: 700 };
  maximized = false;
  minimized = false;
  destroyed = false;
  /** On screen; like Electron, maximize() also shows a hidden window. */
  visible = false;

  constructor(readonly options: unknown) {
    super();
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show(): void {
    this.calls.push('show');
    this.reveal();
  }
  private reveal(): void {
    if (this.visible) return;
    this.visible = true;
    this.emit('show');
  }
  focus(): void {
    this.calls.push('focus');
  }
  restore(): void {
    this.calls.push('restore');
    this.minimized = false;
  }
  maximize(): void {
    this.calls.push('maximize');
    this.maximized = true;
    this.reveal();
  }
  minimize(): void {
    this.calls.push('minimize');
    this.minimized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds(): Rect {
    return { ...this.bounds };
  }
}

export class MemoryStore<T> {
  saved: T[] = [];
  constructor(private value: unknown = undefined) {}
  load(): unknown {
    return this.value;
  }
  save(value: T): void {
    this.value = value;
    this.saved.push(value);
  }
}
