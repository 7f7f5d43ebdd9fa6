// A finished, verified pull moves from <data>/downloads into a models folder on another file system
// (another drive on Windows, an external disk on macOS, another mount on Linux): rename fails with
// EXDEV there, so the move copies, verifies and renames — and when even that fails (disk full), the
// verified download is kept. Real tmpfs mounts (needs root); skipped with the reason where mounting
// is not allowed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../electron/contract/index.js';
import { ModelLibrary } from '../../electron/core/models/library.js';
import { PullManager } from '../../electron/core/models/pull.js';
import { Listeners } from '../../electron/core/util/emitter.js';
import { moveFile } from '../../electron/core/util/fs-retry.js';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const SIZE = statSync(STORIES_MODEL).size;
const SHA = createHash('sha256').update(readFileSync(STORIES_MODEL)).digest('hex');
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Mount a tmpfs of `size` on a new folder under `root`; the reason it cannot be done otherwise. */
function mountTmpfs(root: string, name: string, size: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  return dir;
}

function mountProblem(): string | null {
  if (process.platform !== 'linux') return `tmpfs mounts are a Linux test fixture (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = tempDir('exdev-probe-');
  try {
    const dir = mountTmpfs(probe.path, 'm', '1m');
    execFileSync('umount', [dir]);
    return null;
  } catch (err) {
    return `mount -t tmpfs is not allowed here: ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}`;
  } finally {
    probe.cleanup();
  }
}

const problem = mountProblem();
if (problem) console.warn(`[skip] EXDEV tests: ${problem}`);

describe.skipIf(problem !== null)('moves across file systems (two real tmpfs mounts)', () => {
  let hub: FakeHub;
  let root: ReturnType<typeof tempDir>;
  let downloadsFs: string;
  let modelsFs: string;
  let tinyFs: string;
  const managers: PullManager[] = [];

  beforeAll(async () => {
    hub = await startFakeHub([{ repo: 'karpathy/stories-GGUF', files: [{ path: 'stories260K-Q8_0.gguf', file: STORIES_MODEL }] }]);
    root = tempDir('exdev-');
    downloadsFs = mountTmpfs(root.path, 'downloads-drive', '16m');
    modelsFs = mountTmpfs(root.path, 'models-drive', '16m');
    tinyFs = mountTmpfs(root.path, 'full-drive', '256k'); // smaller than the model: the copy runs out of space
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.cancelAll();
    for (const fs of [downloadsFs, modelsFs, tinyFs]) for (const n of readdirSync(fs)) execFileSync('rm', ['-rf', join(fs, n)]);
  });
  afterAll(async () => {
    await hub.close();
    for (const fs of [downloadsFs, modelsFs, tinyFs]) {
      execFileSync('umount', [fs]);
      rmdirSync(fs);
    }
    root.cleanup();
  });

  const pulls = (modelsDir: string) => {
    const library = new ModelLibrary({ modelsDir });
    const m = new PullManager({
      library,
      downloadsDir: join(downloadsFs, 'downloads'),
      events: new Listeners<CoreEvent>(),
      hub: () => ({ endpoint: hub.url, token: null }),
      retryDelayMs: 10,
      progressIntervalMs: 0,
    });
    managers.push(m);
    return { library, m };
  };

  it('the file systems really differ (rename between them fails with EXDEV)', () => {
    expect(statSync(downloadsFs).dev).not.toBe(statSync(modelsFs).dev);
  });

  it('a verified pull lands in a models folder on another file system, and the download is cleaned up', async () => {
    const { library, m } = pulls(join(modelsFs, 'models'));
    const job = await m.start({ repo: 'karpathy/stories-GGUF', file: 'stories260K-Q8_0.gguf' });
    const model = await m.wait(job.id);
    expect(model.files[0]!.path.startsWith(modelsFs)).toBe(true);
    expect(sha(model.files[0]!.path)).toBe(SHA);
    expect(readdirSync(join(downloadsFs, 'downloads')).filter((n) => n.endsWith('.part'))).toEqual([]);
    expect(readdirSync(join(modelsFs, 'models')).filter((n) => n.startsWith('.'))).toEqual([]); // no staging or partial copies
    expect(new ModelLibrary({ modelsDir: join(modelsFs, 'models') }).get(model.id)?.files[0]?.sha256).toBe(SHA); // survives a restart
    expect(library.list()).toHaveLength(1);
  });

  it('when the other drive is full, the verified download is kept (not deleted) and a later pull finishes from it', async () => {
    const full = pulls(join(tinyFs, 'models'));
    const job = await full.m.start({ repo: 'karpathy/stories-GGUF', file: 'stories260K-Q8_0.gguf' });
    const err = (await full.m.wait(job.id).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/ENOSPC.*verified download was kept/);
    expect(full.m.get(job.id)).toMatchObject({ state: 'failed' });
    const part = join(downloadsFs, 'downloads', `${SHA}.part`);
    expect(statSync(part).size).toBe(SIZE);
    expect(sha(part)).toBe(SHA);
    expect(readdirSync(join(tinyFs, 'models'))).toEqual([]); // nothing partial left on the full drive
    expect(full.library.list()).toEqual([]);

    const roomy = pulls(join(modelsFs, 'models'));
    const again = await roomy.m.start({ repo: 'karpathy/stories-GGUF', file: 'stories260K-Q8_0.gguf' });
    expect(sha((await roomy.m.wait(again.id)).files[0]!.path)).toBe(SHA);
  });

  it('moveFile across devices refuses a copy that does not match the sha256 and keeps the source', async () => {
    const src = join(downloadsFs, 'model.gguf');
    copyFileSync(STORIES_MODEL, src);
    await expect(moveFile(src, join(modelsFs, 'model.gguf'), { sha256: 'f'.repeat(64) })).rejects.toThrow(/has sha256/);
    expect(sha(src)).toBe(SHA);
    expect(readdirSync(modelsFs)).toEqual([]);
    expect(await moveFile(src, join(modelsFs, 'model.gguf'), { sha256: SHA })).toBe('copied');
    expect(existsSync(src)).toBe(false);
    expect(sha(join(modelsFs, 'model.gguf'))).toBe(SHA);
  });
});

describe('moveFile where no second file system exists (EXDEV injected at the rename seam)', () => {
  it('copies, verifies and renames into place, then removes the source', async () => {
    const dir = tempDir('exdev-unit-');
    try {
      writeFileSync(join(dir.path, 'a'), 'weights');
      const exdev = async () => {
        throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
      };
      const hash = createHash('sha256').update('weights').digest('hex');
      expect(await moveFile(join(dir.path, 'a'), join(dir.path, 'b'), { sha256: hash, rename: exdev })).toBe('copied');
      expect(readFileSync(join(dir.path, 'b'), 'utf8')).toBe('weights');
      expect(readdirSync(dir.path)).toEqual(['b']);
    } finally {
      dir.cleanup();
    }
  });
});
