// The main window's size, position and maximized state across runs. A saved position is only used
// when it is still on a connected display (a laptop undocked from its monitor must not open the
// window off-screen); everything read back is validated, since the file may be old or hand-edited.
import { z } from 'zod';
import type { Persisted, Rect, WindowSeam } from './seam.js';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false };
export const MIN_WINDOW_SIZE = { width: 800, height: 560 } as const;
/** How much of the title bar must lie on a display for a saved position to be reused. */
const VISIBLE_MARGIN = 64;

const savedSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean().default(false),
});

function onSomeDisplay(x: number, y: number, width: number, workAreas: Rect[]): boolean {
  return workAreas.some((a) => x + width - VISIBLE_MARGIN >= a.x && x + VISIBLE_MARGIN <= a.x + a.width && y >= a.y && y + VISIBLE_MARGIN <= a.y + a.height);
}

/** Saved state → state to open with: defaults for anything missing or invalid, sizes clamped to the display. */
export function restoreWindowState(saved: unknown, workAreas: Rect[]): WindowState {
  const parsed = savedSchema.safeParse(saved);
  if (!parsed.success) return { ...DEFAULT_WINDOW_STATE };
  const s = parsed.data;
  const largest = workAreas.reduce<Rect | null>((best, a) => (!best || a.width * a.height > best.width * best.height ? a : best), null);
  const width = Math.max(MIN_WINDOW_SIZE.width, largest ? Math.min(s.width, largest.width) : s.width);
  const height = Math.max(MIN_WINDOW_SIZE.height, largest ? Math.min(s.height, largest.height) : s.height);
  const state: WindowState = { width, height, maximized: s.maximized };
  if (s.x !== undefined && s.y !== undefined && onSomeDisplay(s.x, s.y, width, workAreas)) {
    state.x = s.x;
    state.y = s.y;
  }
  return state;
}

export function captureWindowState(win: Pick<WindowSeam, 'getNormalBounds' | 'isMaximized'>): WindowState {
  const b = win.getNormalBounds();
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height), maximized: win.isMaximized() };
}

/**
 * Save the window's state after it stops moving or resizing (debounced), and once more on close.
 * Returns a function that flushes a pending save.
 */
export function trackWindowState(win: WindowSeam, store: Persisted<WindowState>, debounceMs = 400): () => void {
  let timer: NodeJS.Timeout | null = null;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!win.isDestroyed()) store.save(captureWindowState(win));
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event, later);
  win.on('close', save);
  return save;
}
