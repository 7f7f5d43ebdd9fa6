// Unpacking engine archives with the system's own tools (tar everywhere; unzip, or bsdtar as
// Windows' and macOS' `tar` is, for zip) into a staging folder that the caller renames into place.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ENGINE_BINARY, engineBinaryIn } from './locate.js';
import { archiveKind } from './release.js';

export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

const EXTRACT_TIMEOUT_MS = 10 * 60_000;

/** Extract `archive` (tar.gz or zip, by its name) into the existing folder `dest`. */
export async function extractArchive(archive: string, dest: string, name = archive): Promise<void> {
  const kind = archiveKind(name);
  if (!kind) throw new ArchiveError(`cannot extract ${name}: only .tar.gz and .zip engine archives are supported`);
  const commands: [string, string[]][] =
    kind === 'tar.gz'
      ? [['tar', ['-xzf', archive, '-C', dest]]]
      : process.platform === 'win32'
        ? [['tar', ['-xf', archive, '-C', dest]]] // Windows 10+ ships bsdtar, which reads zip
        : [
            ['unzip', ['-q', '-o', archive, '-d', dest]],
            ['bsdtar', ['-xf', archive, '-C', dest]],
            ['tar', ['-xf', archive, '-C', dest]], // macOS tar is bsdtar
          ];
  const missing: string[] = [];
  for (const [file, args] of commands) {
    const r = await execa(file, args, { reject: false, timeout: EXTRACT_TIMEOUT_MS, stdin: 'ignore' });
    if ((r as { code?: string }).code === 'ENOENT') {
      missing.push(file);
      continue;
    }
    if (r.exitCode === 0) return;
    const detail = String(r.stderr || r.stdout || r.message || '')
      .trim()
      .split('\n')
      .slice(-3)
      .join(' ');
    throw new ArchiveError(`cannot extract ${name} with ${file}: ${detail || `exit code ${r.exitCode}`}`);
  }
  throw new ArchiveError(`cannot extract ${name}: none of ${missing.join(', ')} is installed`);
}

/** Release tarballs wrap everything in one folder (`llama-b6550/`): step into it. */
export function unwrapSingleFolder(dir: string): string {
  const entries = readdirSync(dir).filter((n) => n !== '__MACOSX');
  if (entries.length === 1 && statSync(join(dir, entries[0]!)).isDirectory() && !engineBinaryIn(dir)) return join(dir, entries[0]!);
  return dir;
}

/** The llama-server binary in an extracted tree (top, bin/, build/bin/, or one level deeper). */
export function findEngineBinary(root: string): string | null {
  const direct = engineBinaryIn(root);
  if (direct) return direct;
  for (const name of readdirSync(root)) {
    const sub = join(root, name);
    if (statSync(sub).isDirectory()) {
      const found = engineBinaryIn(sub);
      if (found) return found;
    }
  }
  return null;
}

export { ENGINE_BINARY };
