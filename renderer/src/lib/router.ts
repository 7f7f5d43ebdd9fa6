// Client-side routing on the URL hash (`#/models`): works when the UI is served by the core and
// when loaded from a file, with no server rewrite rules.
import { useSyncExternalStore } from 'react';

export type PageName = 'dashboard' | 'models' | 'logs' | 'chat' | 'reports' | 'settings';
export const PAGES: { name: PageName; label: string }[] = [
  { name: 'dashboard', label: 'Dashboard' },
  { name: 'models', label: 'Models' },
  { name: 'chat', label: 'Chat' },
  { name: 'logs', label: 'Logs' },
  { name: 'reports', label: 'Reports' },
  { name: 'settings', label: 'Settings' },
];

export interface Route {
  page: PageName;
  /** Query part after the page, e.g. `#/logs?instance=x` → {instance: 'x'}. */
  params: URLSearchParams;
}

function parse(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const page = PAGES.find((p) => p.name === path)?.name ?? 'dashboard';
  return { page, params: new URLSearchParams(query) };
}

let current = parse(window.location.hash);
const listeners = new Set<() => void>();
window.addEventListener('hashchange', () => {
  current = parse(window.location.hash);
  for (const l of listeners) l();
});

export function useRoute(): Route {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => current,
  );
}

export function href(page: PageName, params?: Record<string, string>): string {
  const q = params ? `?${new URLSearchParams(params).toString()}` : '';
  return `#/${page}${q}`;
}

export function navigate(page: PageName, params?: Record<string, string>): void {
  window.location.hash = href(page, params);
}
