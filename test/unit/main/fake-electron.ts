// A stand-in for the `electron` module, for running the composition root (electron/main/index.ts) in
// plain Node: it records windows, IPC handlers, tray menus and exits, and emits `before-quit` like
// Electron does. Only the API index.ts touches is here.
import { EventEmitter } from 'node:events';
import { event, FakeSession, FakeWebContents, FakeWindow } from './fakes.js';

type Handler = (event: { senderFrame: { url: string } | null }, ...args: unknown[]) => unknown;

export class FakeApp extends EventEmitter {
  paths = new Map<string, string>();
  exits: number[] = [];
  loginItems: unknown[] = [];
  isPackaged = false;
  ready = false;
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  getPath(name: string): string {
    return this.paths.get(name) ?? `/tmp/fake-electron-${name}`;
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  enableSandbox(): void {}
  whenReady(): Promise<void> {
    this.ready = true;
    return Promise.resolve();
  }
  isReady(): boolean {
    return this.ready;
  }
  getAppPath(): string {
    return '/src/llama-orch';
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  setLoginItemSettings(s: unknown): void {
    this.loginItems.push(s);
  }
  getLoginItemSettings() {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
  setAppUserModelId(): void {}
  quit(): void {
    const e = event();
    this.emit('before-quit', e);
    if (!e.prevented) this.exit(0);
  }
  exit(code = 0): void {
    this.exits.push(code);
  }
}

export const fakeElectron = {
  app: new FakeApp(),
  windows: [] as FakeWindow[],
  trays: [] as { icon: string; images: string[]; menu: { items: { label?: string; click?: () => void }[] } | null }[],
  handlers: new Map<string, Handler>(),
  created: [] as FakeWebContents[],
  /** When set, `new Tray()` throws this, as Electron does where it cannot make a tray icon. */
  trayError: null as string | null,
};

class BrowserWindow extends FakeWindow {
  constructor(options: unknown) {
    super(options);
    fakeElectron.windows.push(this);
    fakeElectron.app.emit('web-contents-created', {}, this.webContents);
  }
  static getAllWindows() {
    return fakeElectron.windows;
  }
}

class Tray {
  readonly record: (typeof fakeElectron.trays)[number];
  constructor(icon: string) {
    if (fakeElectron.trayError) throw new Error(fakeElectron.trayError);
    this.record = { icon, images: [], menu: null };
    fakeElectron.trays.push(this.record);
  }
  setImage(p: string) {
    this.record.images.push(p);
  }
  setToolTip() {}
  setContextMenu(menu: (typeof fakeElectron.trays)[number]['menu']) {
    this.record.menu = menu;
  }
  on() {}
  destroy() {}
}

export const electronModule = {
  app: fakeElectron.app,
  BaseWindow: EventEmitter,
  BrowserWindow,
  powerMonitor: new EventEmitter(),
  Tray,
  Menu: { buildFromTemplate: (items: unknown[]) => ({ items }) },
  Notification: Object.assign(class {}, { isSupported: () => false }),
  session: { defaultSession: new FakeSession() },
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  clipboard: { writeText: () => {} },
  shell: { openExternal: () => Promise.resolve(), showItemInFolder: () => {} },
  dialog: { showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }), showErrorBox: (title: string, body: string) => fakeElectron.app.emit('error-box', title, body) },
  ipcMain: {
    handle: (channel: string, h: Handler) => fakeElectron.handlers.set(channel, h),
    removeHandler: (channel: string) => fakeElectron.handlers.delete(channel),
  },
};
