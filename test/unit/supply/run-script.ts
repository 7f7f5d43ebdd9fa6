// Runs one of scripts/supply/*.mjs as a child process, the way `npm run …` and CI do.
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../helpers/paths.js';

export function runScript(name: string, args: string[], timeout = 120_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'supply', name), ...args], { cwd: ROOT, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process (a test that serves something to the script needs its event loop). */
export function runScriptAsync(name: string, args: string[], env: NodeJS.ProcessEnv = {}, timeout = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'scripts', 'supply', name), ...args], { cwd: ROOT, encoding: 'utf8', timeout, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
