// Whether an Electron binary is installed, found the way the `electron` package finds it but without
// ever triggering its lazy download (requiring `electron` from Node downloads when the binary is
// missing). Tests that need the real binary skip with the returned reason when it is absent.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/paths.js';

export type ElectronDist = { ok: true; dir: string; executable: string } | { ok: false; reason: string };

export function findElectronDist(env: NodeJS.ProcessEnv = process.env): ElectronDist {
  const pkg = join(ROOT, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  const relExe = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : null;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const executable = join(override, relExe ?? 'electron');
    return existsSync(executable) ? { ok: true, dir: override, executable } : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${executable} does not exist` };
  }
  if (!relExe) return { ok: false, reason: 'no Electron binary installed (node_modules/electron/path.txt missing; run `npx install-electron` where GitHub is reachable)' };
  const dir = join(pkg, 'dist');
  const executable = join(dir, relExe);
  return existsSync(executable) ? { ok: true, dir, executable } : { ok: false, reason: `no Electron binary at ${executable}` };
}

export interface Display {
  env: NodeJS.ProcessEnv;
  stop(): void;
}

/**
 * A display for Electron on Linux: the session's own, or a private Xvfb when there is none (CI).
 * Returns the reason instead when neither exists. Other systems always have a window server.
 */
export async function electronDisplay(env: NodeJS.ProcessEnv = process.env): Promise<Display | { reason: string }> {
  if (process.platform !== 'linux' || env.DISPLAY || env.WAYLAND_DISPLAY) return { env: {}, stop: () => {} };
  const xvfb = ['/usr/bin/Xvfb', '/usr/local/bin/Xvfb'].find((p) => existsSync(p));
  if (!xvfb) return { reason: 'no display ($DISPLAY / $WAYLAND_DISPLAY unset) and no Xvfb to start one (apt-get install xvfb)' };
  const { spawn } = await import('node:child_process');
  // -displayfd: Xvfb picks a free display number and writes it to fd 3 once it accepts clients.
  const proc = spawn(xvfb, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const display = await new Promise<string | null>((resolve) => {
    let buf = '';
    proc.stdio[3]!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(`:${buf.trim()}`);
    });
    proc.once('exit', () => resolve(null));
    setTimeout(() => resolve(null), 10_000).unref();
  });
  if (!display) {
    proc.kill('SIGKILL');
    return { reason: `Xvfb at ${xvfb} did not start` };
  }
  return { env: { DISPLAY: display }, stop: () => proc.kill('SIGTERM') };
}
