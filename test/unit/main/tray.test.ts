// The tray: status derived from the core's instances, the menu's actions, icon changes on transitions.
import { describe, expect, it, vi } from 'vitest';
import type { InstanceInfo, InstanceState } from '../../../electron/contract/index.js';
import { DEFAULT_DESKTOP_SETTINGS } from '../../../electron/main/desktop-settings.js';
import { shellTrayActions, TrayController, trayMenu, trayStatus, tryCreateTray, type TrayActions, type TrayMenuItem, type TraySeam } from '../../../electron/main/tray.js';
import { quietLog } from './fakes.js';

const URL = 'http://127.0.0.1:8585';

function instance(modelId: string, state: InstanceState): InstanceInfo {
  return { id: `i-${modelId}`, modelId, modelPath: `/m/${modelId}.gguf`, enginePath: '/e/llama-server', state, reason: null, pid: 1, port: 1, restarts: 0, startedAt: null, readyAt: null, argv: [] };
}

function actions() {
  return {
    openWindow: vi.fn<() => void>(),
    copyApiUrl: vi.fn<() => void>(),
    setOpenAtLogin: vi.fn<(enabled: boolean) => void>(),
    setAutoUpdate: vi.fn<(enabled: boolean) => void>(),
    quit: vi.fn<() => void>(),
  } satisfies TrayActions;
}

describe('tray status', () => {
  it('says it is starting before the core listens', () => {
    expect(trayStatus({ url: null, instances: [] })).toMatchObject({ kind: 'idle', label: 'Starting…' });
  });

  it('shows serving with no engines as idle', () => {
    expect(trayStatus({ url: URL, instances: [] })).toMatchObject({ kind: 'idle', label: 'Serving on 127.0.0.1:8585 · no engines running' });
  });

  it('counts running and starting engines', () => {
    const s = trayStatus({ url: URL, instances: [instance('a', 'ready'), instance('b', 'ready'), instance('c', 'starting'), instance('d', 'stopped')] });
    expect(s).toMatchObject({ kind: 'serving', label: 'Serving on 127.0.0.1:8585 · 2 engines running, 1 engine starting' });
    expect(s.tooltip).toContain('2 engines running');
  });

  it('turns to error when an engine failed, naming it', () => {
    const s = trayStatus({ url: URL, instances: [instance('a', 'ready'), instance('qwen', 'failed'), instance('x', 'failed')] });
    expect(s).toMatchObject({ kind: 'error', label: 'Error: engine for qwen failed (and 1 more)' });
  });
});

describe('tray menu', () => {
  const item = (items: TrayMenuItem[], label: RegExp) => items.find((i) => i.label && label.test(i.label))!;

  it('Quit asks the app to quit (which stops the engines first)', () => {
    const a = actions();
    const menu = trayMenu(trayStatus({ url: URL, instances: [] }), DEFAULT_DESKTOP_SETTINGS, true, a);
    item(menu, /^Quit/).click!();
    expect(a.quit).toHaveBeenCalledTimes(1);
    expect(item(menu, /^Quit/).label).toContain('stops all engines');
  });

  it('shows the status first, disabled, and toggles the options to their opposite', () => {
    const a = actions();
    const menu = trayMenu(trayStatus({ url: URL, instances: [] }), { ...DEFAULT_DESKTOP_SETTINGS, openAtLogin: true }, true, a);
    expect(menu[0]).toEqual({ label: 'Serving on 127.0.0.1:8585 · no engines running', enabled: false });
    const login = item(menu, /Open at login/);
    expect(login).toMatchObject({ type: 'checkbox', checked: true });
    login.click!();
    expect(a.setOpenAtLogin).toHaveBeenCalledWith(false);
    const updates = item(menu, /updates/);
    expect(updates).toMatchObject({ type: 'checkbox', checked: false });
    updates.click!();
    expect(a.setAutoUpdate).toHaveBeenCalledWith(true);
  });

  it('cannot copy an API URL before there is one', () => {
    const menu = trayMenu(trayStatus({ url: null, instances: [] }), DEFAULT_DESKTOP_SETTINGS, false, actions());
    expect(item(menu, /Copy API URL/).enabled).toBe(false);
  });
});

describe('tray controller', () => {
  it('switches the icon only when the status kind changes, and rebuilds the menu each refresh', () => {
    const calls: string[] = [];
    const fake: TraySeam<TrayMenuItem[]> = {
      setImage: (p) => calls.push(`image ${p}`),
      setToolTip: (t) => calls.push(`tooltip ${t}`),
      setContextMenu: (m) => calls.push(`menu ${m.length}`),
      on: () => undefined,
      destroy: () => calls.push('destroy'),
    };
    let instances: InstanceInfo[] = [];
    const tray = new TrayController<TrayMenuItem[]>({
      create: (icon) => (calls.push(`create ${icon}`), fake),
      buildMenu: (items) => items,
      iconPath: (kind) => `/tray/${kind}.png`,
      status: () => ({ url: URL, instances }),
      settings: () => DEFAULT_DESKTOP_SETTINGS,
      actions: actions(),
    });
    expect(calls.filter((c) => c.startsWith('image'))).toEqual(['image /tray/idle.png']);
    tray.refresh();
    expect(calls.filter((c) => c.startsWith('image'))).toHaveLength(1);
    instances = [instance('a', 'ready')];
    expect(tray.refresh().kind).toBe('serving');
    instances = [instance('a', 'failed')];
    expect(tray.refresh().kind).toBe('error');
    expect(calls.filter((c) => c.startsWith('image'))).toEqual(['image /tray/idle.png', 'image /tray/serving.png', 'image /tray/error.png']);
    expect(calls.filter((c) => c.startsWith('menu'))).toHaveLength(4);
    tray.destroy();
    expect(calls.at(-1)).toBe('destroy');
  });

  it('opens the window when the icon is clicked', () => {
    const listeners: (() => void)[] = [];
    const a = actions();
    new TrayController<unknown>({
      create: () => ({ setImage: () => {}, setToolTip: () => {}, setContextMenu: () => {}, on: (_e, l) => listeners.push(l), destroy: () => {} }),
      buildMenu: (items) => items,
      iconPath: (kind) => kind,
      status: () => ({ url: URL, instances: [] }),
      settings: () => DEFAULT_DESKTOP_SETTINGS,
      actions: a,
    });
    listeners.forEach((l) => l());
    expect(a.openWindow).toHaveBeenCalledTimes(1);
  });

  it('reports no tray (null, with a warning) where the system cannot create one, instead of failing start-up', () => {
    const log = { ...quietLog, lines: [] as typeof quietLog.lines };
    const tray = tryCreateTray<unknown>(
      {
        create: () => {
          throw new Error('no status notifier');
        },
        buildMenu: (items) => items,
        iconPath: (kind) => kind,
        status: () => ({ url: URL, instances: [] }),
        settings: () => DEFAULT_DESKTOP_SETTINGS,
        actions: actions(),
      },
      log,
    );
    expect(tray).toBeNull();
    expect(log.lines).toEqual([{ level: 'warn', msg: 'the tray icon could not be created', fields: { err: 'no status notifier' } }]);
  });
});

describe('tray actions on the shell', () => {
  it('show the window, copy the API URL, change the two settings and quit', () => {
    const log: string[] = [];
    const actions = shellTrayActions({
      showWindow: () => log.push('show'),
      copyText: (t) => log.push(`copy ${t}`),
      apiUrl: 'http://127.0.0.1:8585/v1',
      settings: { update: (p) => log.push(`update ${JSON.stringify(p)}`) },
      quit: () => log.push('quit'),
    });
    actions.openWindow();
    actions.copyApiUrl();
    actions.setOpenAtLogin(true);
    actions.setAutoUpdate(false);
    actions.quit();
    expect(log).toEqual(['show', 'copy http://127.0.0.1:8585/v1', 'update {"openAtLogin":true}', 'update {"autoUpdate":false}', 'quit']);
  });
});
