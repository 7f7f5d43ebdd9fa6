// Small persisted values of the shell (window state, desktop settings) as electron-store files in
// Electron's userData folder, which the root points into the data dir (<data dir>/desktop/).
import Store from 'electron-store';
import { readFileSync } from 'node:fs';
import type { Persisted } from './seam.js';

export function electronStore<T>(name: string): Persisted<T> {
  const store = new Store<Record<string, unknown>>({ name });
  return { load: () => store.get('value'), save: (value) => store.set('value', value) };
}

export function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
