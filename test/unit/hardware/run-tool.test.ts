// runTool's PATH look-up: an absent vendor tool is answered without spawning anything.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onPath, runTool } from '../../../electron/core/hardware/run-tool.js';
import { tempDir } from '../../helpers/tmp.js';

const posix = process.platform !== 'win32';

describe.skipIf(!posix)('runTool on POSIX', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const tool = join(tmp.path, 'fake-smi');
  writeFileSync(tool, '#!/bin/sh\necho found-it\n');
  chmodSync(tool, 0o755);
  writeFileSync(join(tmp.path, 'not-executable'), 'x');

  it('finds executables on PATH and rejects absent or non-executable files', () => {
    expect(onPath('fake-smi', { PATH: `/nonexistent-dir:${tmp.path}` })).toBe(true);
    expect(onPath('not-executable', { PATH: tmp.path })).toBe(false);
    expect(onPath('fake-smi', { PATH: '/nonexistent-dir' })).toBe(false);
    expect(onPath(tool, { PATH: '' })).toBe(true);
  });

  it('reports an absent tool as not installed, and runs a present one', async () => {
    expect(await runTool('fake-smi', [], { env: { PATH: '/nonexistent-dir' } })).toEqual({ ok: false, reason: 'fake-smi is not installed (not found on PATH)' });
    expect(await runTool('fake-smi', [], { env: { PATH: `${tmp.path}:/usr/bin:/bin` } })).toEqual({ ok: true, stdout: 'found-it' });
  });
});
