// Where the app keeps its data, and the layout under that folder. One place decides both, so the
// desktop app, `llama-orch serve` and a system service all agree.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'llama-orch';

/** The platform's per-user app-data folder: XDG on Linux, %APPDATA% on Windows, Application Support on macOS. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.LLAMA_ORCH_DATA_DIR) return env.LLAMA_ORCH_DATA_DIR;
  const home = env.HOME || homedir();
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), APP_DIR_NAME);
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
