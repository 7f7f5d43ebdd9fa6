// Derived settings views.
import type { Settings } from '../../../../electron/contract/index.js';

export function isLanEnabled(s: Settings): boolean {
  const h = s.api.host;
  return !(h === '127.0.0.1' || h === 'localhost' || h === '::1' || h.startsWith('127.'));
}

export function linesToList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean);
}
