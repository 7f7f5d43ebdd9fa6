// Saved state is written whole or not at all: a temp file in the same folder, then a rename over the
// old one. A write that fails (a full disk, a quota) leaves no temp file behind and says plainly why:
// the HTTP layer answers a full disk with 507 Insufficient Storage, not a 500.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { HttpError } from './errors.js';

/** errno codes that mean "the machine is out of something", not "the request or the code is wrong". */
const RESOURCE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN']);

export function isResourceError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && RESOURCE_CODES.has((err as NodeJS.ErrnoException).code ?? '');
}

/** The temp file is fsynced before the rename, so a power cut leaves the old file or the new one, whole. */
export function writeFileAtomic(file: string, data: string, mode = 0o600): void {
  const tmp = `${file}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(tmp, 'w', mode);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (isResourceError(err)) {
      throw new HttpError(
        507,
        `could not save ${file}: ${(err as NodeJS.ErrnoException).code} (the disk is full or over quota); nothing was changed — free some space and try again`,
        'server_error',
        'insufficient_storage',
      );
    }
    throw err;
  }
}
