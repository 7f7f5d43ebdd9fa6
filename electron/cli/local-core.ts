// The core's services for a CLI command, built by the same composition root as `serve` (Core) but
// without listening: the command reads and changes the data dir's files through them. A domain error
// reaches the user as its message (the HTTP mapping is the API's business).
import { resolve } from 'node:path';
import { toHttpError } from '../core/api/deployment-router.js';
import { Core } from '../core/core.js';
import { defaultDataDir } from '../core/paths.js';
import { PidFiles } from '../core/supervisor/pidfiles.js';
import { HttpError } from '../core/util/errors.js';

export const dataDirOf = (v: { 'data-dir'?: string | undefined }): string => resolve(v['data-dir'] ?? defaultDataDir());

export async function withLocalCore<T>(dataDir: string, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = new Core({ dataDir });
  // This core starts no engine; a core running beside it on the data dir may: its engines' pidfiles
  // say which models are loaded (so `models rm` refuses those).
  const pids = new PidFiles(core.layout.run);
  core.library.setLoadedCheck((id) => pids.list().some((r) => r.instanceId === id && alive(r.pid)));
  try {
    return await fn(core);
  } catch (err) {
    const http = toHttpError(err);
    throw http !== err && http instanceof HttpError ? new Error(http.message) : err;
  } finally {
    await core.stop();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
