// Finding an installed engine binary under <data>/engines/<id>/ (newest first).
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ENGINE_BINARY = process.platform === 'win32' ? 'llama-server.exe' : 'llama-server';

/** The llama-server binary inside an engine folder (archives put it at the top, in bin/ or build/bin/). */
export function engineBinaryIn(dir: string): string | null {
  for (const rel of [ENGINE_BINARY, join('bin', ENGINE_BINARY), join('build', 'bin', ENGINE_BINARY)]) {
    const p = join(dir, rel);
    if (existsSync(p) && isExecutable(p)) return p;
  }
  return null;
}

export function installedEngineBinaries(enginesDir: string): { id: string; binary: string; mtimeMs: number }[] {
  let names: string[];
  try {
    names = readdirSync(enginesDir);
  } catch {
    return [];
  }
  const found: { id: string; binary: string; mtimeMs: number }[] = [];
  for (const id of names) {
    if (id.startsWith('.')) continue;
    const binary = engineBinaryIn(join(enginesDir, id));
    if (binary) found.push({ id, binary, mtimeMs: statSync(join(enginesDir, id)).mtimeMs });
  }
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

export class NoEngineError extends Error {
  constructor(enginesDir: string) {
    super(
      `no llama-server engine is installed in ${enginesDir}. ` +
        'Install one with `llama-orch engines install`, import an archive offline with `llama-orch engines import <archive>`, ' +
        'or pass `--engine <path-to-llama-server>`.',
    );
    this.name = 'NoEngineError';
  }
}

/** An explicit path (checked) or the newest installed engine. */
export function resolveEngine(enginesDir: string, explicit?: string): string {
  if (explicit) {
    const p = existsSync(explicit) && statSync(explicit).isDirectory() ? engineBinaryIn(explicit) : explicit;
    if (!p || !existsSync(p)) throw new Error(`engine not found: ${explicit} (expected a llama-server binary or an engine folder)`);
    if (!isExecutable(p)) throw new Error(`engine is not executable: ${p}`);
    return p;
  }
  const newest = installedEngineBinaries(enginesDir)[0];
  if (!newest) throw new NoEngineError(enginesDir);
  return newest.binary;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
