// Offline engine imports with the real test engine: a GPU build that finds no GPU device is refused
// by the self-test (nothing installed), runtime archives given with --with land beside the binary,
// and a Windows CUDA build without its cudart archive is refused before anything is unpacked.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../electron/core/engines/installer.js';
import { EngineService } from '../../electron/core/engines/service.js';
import { testEnginePath } from '../helpers/engine.js';
import { tempDir } from '../helpers/tmp.js';

const canRun = process.platform === 'linux' && process.arch === 'x64';
if (!canRun) console.warn('engines-platform: skipped, the test engine archive is built for linux-x64 only');

/** An archive named `name` holding `files` under `llama-b9999/` (engines) or flat (cudart runtimes). */
function archive(dir: string, name: string, files: Record<string, string | { copy: string }>, flat = false): string {
  const root = flat ? join(dir, `src-${name}`) : join(dir, `src-${name}`, 'llama-b9999');
  mkdirSync(root, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    if (typeof content === 'string') writeFileSync(join(root, file), content);
    else copyFileSync(content.copy, join(root, file));
  }
  const path = join(dir, name);
  execFileSync('tar', flat ? ['-czf', path, '-C', root, ...Object.keys(files)] : ['-czf', path, '-C', dirname(root), 'llama-b9999']);
  return path;
}

describe.skipIf(!canRun)('offline engine imports: devices and runtimes', () => {
  const work = tempDir('engines-platform-');
  afterAll(() => work.cleanup());
  const service = (name: string) => new EngineService({ enginesDir: join(work.path, name, 'engines'), downloadsDir: join(work.path, name, 'downloads') });

  it('refuses a Vulkan build whose self-test lists no Vulkan device, and installs nothing', async () => {
    const path = archive(work.path, 'llama-b9999-bin-ubuntu-vulkan-x64.tar.gz', { 'llama-server': { copy: testEnginePath() } });
    const s = service('vulkan');
    const err = (await s.importArchive(path).catch((e: unknown) => e)) as EngineError;
    expect(err).toBeInstanceOf(EngineError);
    expect(err.code).toBe('self_test');
    expect(err.message).toMatch(/the Vulkan build lists .* no Vulkan device.*nothing was installed/);
    expect(s.list()).toEqual([]);
    expect(readdirSync(join(work.path, 'vulkan', 'engines'))).toEqual([]);
  });

  it('unpacks archives given with --with beside the binary (the cudart DLLs of a CUDA build)', async () => {
    const path = archive(work.path, 'llama-b9999-bin-ubuntu-x64.tar.gz', { 'llama-server': { copy: testEnginePath() } });
    const runtime = archive(work.path, 'runtime-extra.tar.gz', { 'cudart64_12.dll': 'runtime bytes' }, true);
    const engine = await service('with').importArchive(path, { with: [runtime] });
    expect(readFileSync(join(dirname(engine.binary), 'cudart64_12.dll'), 'utf8')).toBe('runtime bytes');
  });

  it('refuses a Windows CUDA archive without its cudart archive before unpacking anything', async () => {
    const path = join(work.path, 'llama-b9999-bin-win-cuda-12.4-x64.zip');
    writeFileSync(path, 'not opened');
    const s = service('cuda');
    await expect(s.importArchive(path)).rejects.toThrow(/needs its CUDA runtime, cudart-llama-bin-win-cuda-12\.4-x64\.zip/);
    expect(s.list()).toEqual([]);
  });
});
