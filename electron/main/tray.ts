// The tray / menu-bar icon: what the core is doing at a glance (serving, engines running, error) and
// the few actions that make sense without the window: open it, copy the API URL, the desktop
// options, and Quit (which stops every engine before the app exits).
import type { DesktopSettings, InstanceInfo } from '../contract/index.js';
import type { Logger } from './seam.js';

export type TrayIconKind = 'serving' | 'idle' | 'error';

export interface TrayStatus {
  kind: TrayIconKind;
  /** First, disabled line of the menu. */
  label: string;
  tooltip: string;
}

export interface TrayStatusInput {
  /** The core's base URL once it listens; null before. */
  url: string | null;
  instances: InstanceInfo[];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function trayStatus(input: TrayStatusInput): TrayStatus {
  if (!input.url) return { kind: 'idle', label: 'Starting…', tooltip: 'llama-orch — starting' };
  const where = input.url.replace(/^https?:\/\//, '');
  const failed = input.instances.filter((i) => i.state === 'failed');
  if (failed.length > 0) {
    const names = failed.map((i) => i.modelId);
    const label = `Error: engine for ${names[0]} failed${names.length > 1 ? ` (and ${names.length - 1} more)` : ''}`;
    return { kind: 'error', label, tooltip: `llama-orch — ${label}` };
  }
  const ready = input.instances.filter((i) => i.state === 'ready').length;
  const starting = input.instances.filter((i) => i.state === 'starting').length;
  const engines = [ready ? `${plural(ready, 'engine', 'engines')} running` : '', starting ? `${plural(starting, 'engine', 'engines')} starting` : ''].filter(Boolean).join(', ');
  const label = `Serving on ${where} · ${engines || 'no engines running'}`;
  return { kind: ready > 0 ? 'serving' : 'idle', label, tooltip: `llama-orch — ${label}` };
}

/** A menu item, as Electron's Menu.buildFromTemplate takes it (the subset used here). */
export interface TrayMenuItem {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  click?: () => void;
}

export interface TrayActions {
  openWindow(): void;
  copyApiUrl(): void;
  setOpenAtLogin(enabled: boolean): void;
  setAutoUpdate(enabled: boolean): void;
  quit(): void;
}

export function trayMenu(status: TrayStatus, settings: DesktopSettings, canCopyUrl: boolean, actions: TrayActions): TrayMenuItem[] {
  return [
    { label: status.label, enabled: false },
    { type: 'separator' },
    { label: 'Open llama-orch', click: () => actions.openWindow() },
    { label: 'Copy API URL', enabled: canCopyUrl, click: () => actions.copyApiUrl() },
    { type: 'separator' },
    { label: 'Open at login', type: 'checkbox', checked: settings.openAtLogin, click: () => actions.setOpenAtLogin(!settings.openAtLogin) },
    { label: 'Check for updates automatically', type: 'checkbox', checked: settings.autoUpdate, click: () => actions.setAutoUpdate(!settings.autoUpdate) },
    { type: 'separator' },
    { label: 'Quit llama-orch (stops all engines)', click: () => actions.quit() },
  ];
}

/** The tray's actions on the shell: show the window, copy the API URL, change two settings, quit. */
export function shellTrayActions(shell: {
  showWindow(): void;
  copyText(text: string): void;
  apiUrl: string;
  settings: { update(patch: Partial<DesktopSettings>): unknown };
  quit(): void;
}): TrayActions {
  return {
    openWindow: () => shell.showWindow(),
    copyApiUrl: () => shell.copyText(shell.apiUrl),
    setOpenAtLogin: (v) => void shell.settings.update({ openAtLogin: v }),
    setAutoUpdate: (v) => void shell.settings.update({ autoUpdate: v }),
    quit: () => shell.quit(),
  };
}

export interface TraySeam<M> {
  setImage(iconPath: string): void;
  setToolTip(text: string): void;
  setContextMenu(menu: M): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayDeps<M> {
  create(iconPath: string): TraySeam<M>;
  buildMenu(items: TrayMenuItem[]): M;
  iconPath(kind: TrayIconKind): string;
  status(): TrayStatusInput;
  settings(): DesktopSettings;
  actions: TrayActions;
}

/** Owns the tray icon; call refresh() whenever the core's state or the settings change. */
export class TrayController<M> {
  private readonly tray: TraySeam<M>;
  private kind: TrayIconKind | null = null;

  constructor(private readonly deps: TrayDeps<M>) {
    this.tray = deps.create(deps.iconPath('idle'));
    this.tray.on('click', () => deps.actions.openWindow());
    this.refresh();
  }

  refresh(): TrayStatus {
    const input = this.deps.status();
    const status = trayStatus(input);
    if (status.kind !== this.kind) {
      this.tray.setImage(this.deps.iconPath(status.kind));
      this.kind = status.kind;
    }
    this.tray.setToolTip(status.tooltip);
    this.tray.setContextMenu(this.deps.buildMenu(trayMenu(status, this.deps.settings(), input.url !== null, this.deps.actions)));
    return status;
  }

  destroy(): void {
    this.tray.destroy();
  }
}

/** The tray icon, or null where the system cannot make one (the window then stays the way back). */
export function tryCreateTray<M>(deps: TrayDeps<M>, log: Logger): TrayController<M> | null {
  try {
    return new TrayController(deps);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'the tray icon could not be created');
    return null;
  }
}
