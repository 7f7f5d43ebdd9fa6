// Engine archive import in Settings → Engines, in a real Chromium against the real headless core on an
// empty data dir: a release-shaped archive of the real test engine chosen with the file picker is
// uploaded with progress, imported and listed; a broken archive dropped on the zone is refused with the
// core's reason and nothing is listed for it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineListResponse } from '../../electron/contract/index.js';
import { testEnginePath } from '../helpers/engine.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, type UiSession } from './ui-support.js';

const TAG = 'b9004';
const NAME = `llama-${TAG}-bin-ubuntu-${process.arch}.tar.gz`;
const canRun = process.platform === 'linux' && process.arch === 'x64';
if (haveChromium && !canRun) console.warn('[e2e] ui-engine-import skipped: the test engine archive is built for linux-x64 only');

describe.skipIf(!haveChromium || !canRun)('UI engine archive import', () => {
  const data = tempDir();
  const work = tempDir();
  let ui: UiSession;
  let page: Page;
  let archive: string;

  beforeAll(async () => {
    const root = join(work.path, 'src', `llama-${TAG}`);
    mkdirSync(root, { recursive: true });
    copyFileSync(testEnginePath(), join(root, 'llama-server'));
    archive = join(work.path, NAME);
    execFileSync('tar', ['-czf', archive, '-C', join(work.path, 'src'), `llama-${TAG}`]);
    ui = await openUi([], data.path, { width: 1280, height: 900 });
    page = ui.page;
    await page.getByTestId('nav-settings').click();
    await page.getByText('No engine installed.').waitFor();
  });

  afterAll(async () => {
    await ui?.close();
    data.cleanup();
    work.cleanup();
  });

  it("refuses a broken archive dropped on the zone with the core's reason, and lists nothing", async () => {
    const head = [...readFileSync(archive).subarray(0, 4096)];
    const dt = await page.evaluateHandle(
      ({ bytes, name }) => {
        const t = new DataTransfer();
        t.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/gzip' }));
        return t;
      },
      { bytes: head, name: `llama-b9005-bin-ubuntu-${process.arch}.tar.gz` },
    );
    await page.getByTestId('engine-archive-drop').dispatchEvent('drop', { dataTransfer: dt });
    const result = page.getByTestId('engine-archive-result');
    await expect.poll(() => result.getAttribute('role'), { timeout: 60_000 }).toBe('alert');
    expect(await result.textContent()).toMatch(/llama-b9005-bin-ubuntu-\w+\.tar\.gz was not imported: \S+/);
    expect((await ui.admin<EngineListResponse>('GET', '/api/v1/engines')).data).toEqual([]);
    await screenshot(page, '33-settings-engine-import-refused');
  });

  it('imports an archive chosen with the file picker: uploaded, checked, listed', async () => {
    await page.getByTestId('engine-archive-file').setInputFiles(archive);
    const result = page.getByTestId('engine-archive-result');
    await expect.poll(() => result.textContent(), { timeout: 120_000 }).toContain(`Engine ${TAG}-ubuntu-${process.arch} was imported`);
    expect(await result.getAttribute('role')).toBe('status');
    const row = page.getByTestId(`engine-${TAG}-ubuntu-${process.arch}`);
    await row.waitFor();
    expect(await row.textContent()).toContain(TAG);
    const list = await ui.admin<EngineListResponse>('GET', '/api/v1/engines');
    expect(list.data.map((e) => e.source?.location)).toEqual([`upload:${NAME}`]);
    await screenshot(page, '34-settings-engine-imported');
    expect(ui.errors).toEqual([]);
  }, 150_000);
});
