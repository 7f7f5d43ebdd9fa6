// What both composition-root tests do around electron/main/index.ts: the electron-store stand-in
// their `vi.mock` returns, starting the shell with an argv (in plain Node, `electron` faked) until
// its window loads the UI, and quitting it the way a user does, waiting for the exit.
import { join } from 'node:path';
import { ROOT } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/processes.js';
import type { tempDir } from '../../helpers/tmp.js';
import { fakeElectron } from './fake-electron.js';

/** `electron-store` (which imports electron itself) as an in-memory map. */
class MemoryStore {
  readonly #values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.#values.get(key);
  }
  set(key: string, value: unknown): void {
    this.#values.set(key, value);
  }
}

export const electronStoreModule = { default: MemoryStore };

/** Start the shell on `dataDir` with these arguments (after the app path); resolves once the window loaded the UI. */
export async function startShell(dataDir: string, args: string[], beforeWindow: () => void = () => {}): Promise<void> {
  process.argv = [process.execPath, ROOT, '--data-dir', dataDir, '--port', '0', ...args];
  Object.assign(process, { resourcesPath: join(dataDir, 'resources') });
  await import('../../../electron/main/index.js');
  beforeWindow();
  await waitFor(() => fakeElectron.windows[0]?.loaded[0], 'the window to load the UI', 30_000);
}

/** Quit (unless a test already did) and wait for the exit: a failed test must not leave an engine running. */
export async function quitShell(data: ReturnType<typeof tempDir>, argv: string[]): Promise<void> {
  process.argv = argv;
  if (fakeElectron.app.exits.length === 0) fakeElectron.app.quit();
  await waitFor(() => fakeElectron.app.exits.length > 0, 'the app to exit', 30_000);
  data.cleanup();
}
