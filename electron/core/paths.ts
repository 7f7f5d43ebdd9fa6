// Where the app keeps its data, and the layout under that folder. One place decides both, so the
// desktop app, `llama-orch serve` and a system service all agree.
import { homedir } from 'node:os';
import { existsSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';

export const APP_DIR_NAME = 'llama-orch';

/**
 * The platform's per-user app-data folder: XDG on Linux, Application Support on macOS, and on
 * Windows %LOCALAPPDATA% — not %APPDATA% (Roaming), which is copied with the profile at every
 * logon in a domain: multi-GB models and engines, and pidfiles that only mean something on this
 * machine, must stay local. A data folder an earlier version made under Roaming keeps being used
 * (when there is none under Local) so an update loses nothing.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, exists: (path: string) => boolean = existsSync): string {
  if (env.LLAMA_ORCH_DATA_DIR) return env.LLAMA_ORCH_DATA_DIR;
  const home = (platform === 'win32' ? env.USERPROFILE : env.HOME) || homedir();
  if (platform === 'win32') {
    const join = win32.join;
    const local = join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), APP_DIR_NAME);
    const roaming = join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
    return !exists(local) && exists(roaming) ? roaming : local;
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return posix.join(env.XDG_DATA_HOME || posix.join(home, '.local', 'share'), APP_DIR_NAME);
}

export interface DataLayout {
  root: string;
  engines: string;
  models: string;
  run: string;
  logs: string;
  settings: string;
  downloads: string;
}

export function dataLayout(root: string): DataLayout {
  return {
    root,
    engines: join(root, 'engines'),
    models: join(root, 'models'),
    run: join(root, 'run'),
    logs: join(root, 'logs'),
    settings: join(root, 'settings.json'),
    downloads: join(root, 'downloads'),
  };
}
