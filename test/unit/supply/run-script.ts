// Runs one of scripts/supply/*.mjs as a child process, the way `npm run …` and CI do.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../helpers/paths.js';

export function runScript(name: string, args: string[], timeout = 120_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'supply', name), ...args], { cwd: ROOT, encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
