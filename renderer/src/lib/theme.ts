// Applies the theme setting: `system` follows prefers-color-scheme (pure CSS), light/dark force it.
import type { Theme } from '../../../electron/contract/index.js';

const KEY = 'llama-orch.theme';

export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(KEY, theme); // so the next start paints in the right theme before the API answers
  } catch {
    // storage may be unavailable (private mode); the setting still applies
  }
}

export function applyStoredTheme(): void {
  try {
    const t = localStorage.getItem(KEY);
    if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
  } catch {
    // ignore
  }
}
