// The main window's life: created from restored state, shown once painted, state saved as it changes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Rect } from '../../../electron/main/seam.js';
import { MainWindowHolder, openMainWindow, revealWindow, type MainWindowOptions } from '../../../electron/main/window.js';
import { DEFAULT_WINDOW_STATE, MIN_WINDOW_SIZE, restoreWindowState, trackWindowState, type WindowState } from '../../../electron/main/window-state.js';
import { event, FakeWindow, MemoryStore, quietLog } from './fakes.js';

const SCREEN: Rect = { x: 0, y: 0, width: 1920, height: 1080 };

function open(saved: unknown, opts: { hidden: boolean } = { hidden: false }) {
  const store = new MemoryStore<WindowState>(saved);
  let created: FakeWindow | null = null;
  const win = openMainWindow(
    {
      createWindow: (o: MainWindowOptions) => (created = new FakeWindow(o)),
      store,
      workAreas: () => [SCREEN],
      preloadPath: '/p.cjs',
      devTools: false,
      log: quietLog,
    },
    'http://127.0.0.1:8585',
    opts,
  );
  return { win: win as FakeWindow, created: created!, store };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('main window', () => {
  it('loads the core URL and shows the window only once it is ready to show', () => {
    const { win } = open(undefined);
    expect(win.loaded).toEqual(['http://127.0.0.1:8585']);
    expect(win.calls).not.toContain('show');
    win.emit('ready-to-show');
    expect(win.calls).toContain('show');
  });

  it('stays hidden when started in the tray (open at login)', () => {
    const { win } = open(undefined, { hidden: true });
    win.emit('ready-to-show');
    expect(win.calls).not.toContain('show');
  });

  it('opens with the saved size and position, maximized if it was, and not on screen before it has painted', () => {
    const { win, created } = open({ x: 100, y: 50, width: 1400, height: 900, maximized: true });
    expect(created.options).toMatchObject({ x: 100, y: 50, width: 1400, height: 900 });
    // maximize() shows a hidden window: calling it before ready-to-show would flash an empty window.
    expect(win.visible).toBe(false);
    expect(win.calls).toEqual([]);
    win.emit('ready-to-show');
    expect(win.calls).toEqual(['maximize', 'show']);
    expect(win.visible && win.maximized).toBe(true);
  });

  it('restores a maximized window started in the tray only when it is first shown', () => {
    const { win } = open({ width: 1400, height: 900, maximized: true }, { hidden: true });
    win.emit('ready-to-show');
    expect(win.visible).toBe(false);
    revealWindow(win);
    expect(win.calls).toEqual(['show', 'maximize', 'focus']);
    revealWindow(win);
    expect(win.calls.filter((c) => c === 'maximize')).toHaveLength(1);
  });

  it('only minimizes on close while there is no tray to come back through, and closes when quitting', () => {
    let minimizeOnClose = true;
    const store = new MemoryStore<WindowState>();
    const win = openMainWindow(
      { createWindow: (o: MainWindowOptions) => new FakeWindow(o), store, workAreas: () => [SCREEN], preloadPath: '/p.cjs', devTools: false, log: quietLog },
      'http://127.0.0.1:8585',
      { hidden: false, closeMinimizes: () => minimizeOnClose },
    ) as FakeWindow;
    const close = () => {
      const e = event();
      win.emit('close', e);
      return e.prevented;
    };
    expect(close()).toBe(true);
    expect(win.calls).toContain('minimize');
    minimizeOnClose = false;
    expect(close()).toBe(false);
  });

  it('brings a minimized window back to the front', () => {
    const { win } = open(undefined);
    win.minimized = true;
    revealWindow(win);
    expect(win.calls).toEqual(['restore', 'show', 'focus']);
  });
});

describe('window state', () => {
  it('falls back to defaults for missing or malformed saved state', () => {
    for (const saved of [undefined, null, 'x', { width: 'wide' }, { width: -5, height: 10 }]) {
      expect(restoreWindowState(saved, [SCREEN])).toEqual(DEFAULT_WINDOW_STATE);
    }
  });

  it('drops a position that is no longer on any display (monitor unplugged)', () => {
    const s = restoreWindowState({ x: 2500, y: 100, width: 1200, height: 800, maximized: false }, [SCREEN]);
    expect(s).toEqual({ width: 1200, height: 800, maximized: false });
  });

  it('keeps a position on a second display', () => {
    const s = restoreWindowState({ x: 2500, y: 100, width: 1200, height: 800, maximized: false }, [SCREEN, { x: 1920, y: 0, width: 2560, height: 1440 }]);
    expect(s).toMatchObject({ x: 2500, y: 100 });
  });

  it('clamps the size between the minimum and the largest display', () => {
    expect(restoreWindowState({ width: 100, height: 100 }, [SCREEN])).toMatchObject(MIN_WINDOW_SIZE);
    expect(restoreWindowState({ width: 5000, height: 3000 }, [SCREEN])).toMatchObject({ width: 1920, height: 1080 });
  });

  it('saves once after moving or resizing stops, and again on close', () => {
    vi.useFakeTimers();
    const win = new FakeWindow({});
    const store = new MemoryStore<WindowState>();
    trackWindowState(win, store, 400);
    win.bounds = { x: 5, y: 6, width: 900, height: 650 };
    win.emit('move');
    win.emit('resize');
    win.emit('resize');
    expect(store.saved).toHaveLength(0);
    vi.advanceTimersByTime(400);
    expect(store.saved).toEqual([{ x: 5, y: 6, width: 900, height: 650, maximized: false }]);
    win.maximized = true;
    win.emit('close');
    expect(store.saved.at(-1)).toEqual({ x: 5, y: 6, width: 900, height: 650, maximized: true });
  });

  it('does not touch a destroyed window', () => {
    const win = new FakeWindow({});
    const store = new MemoryStore<WindowState>();
    trackWindowState(win, store);
    win.destroyed = true;
    win.emit('close');
    expect(store.saved).toHaveLength(0);
  });
});

describe('the main window holder', () => {
  it('opens the window once, brings it forward when shown again, and opens a new one after it was closed', () => {
    const made: FakeWindow[] = [];
    const deps = {
      createWindow: (o: MainWindowOptions) => (made.push(new FakeWindow(o)), made.at(-1)!),
      store: new MemoryStore<WindowState>(undefined),
      workAreas: () => [SCREEN],
      preloadPath: '/p.cjs',
      devTools: false,
      log: quietLog,
    };
    const holder = new MainWindowHolder<FakeWindow>(deps, 'http://127.0.0.1:8585', () => false);
    expect(holder.current).toBeNull();
    holder.show();
    expect(made).toHaveLength(1);
    made[0]!.calls.length = 0;
    holder.show();
    expect(made).toHaveLength(1);
    expect(made[0]!.calls).toEqual(expect.arrayContaining(['show', 'focus']));
    made[0]!.destroyed = true;
    made[0]!.emit('closed');
    expect(holder.current).toBeNull();
    holder.show();
    expect(made).toHaveLength(2);
    expect(holder.current).toBe(made[1]);
  });
});
