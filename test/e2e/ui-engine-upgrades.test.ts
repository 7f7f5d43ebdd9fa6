// Engine upgrades in Settings, in a real Chromium against the real headless core: two copies of the
// test engine under the data dir (a is the default), a saved deployment; the Check button shows the
// report table with a verdict per deployment, "Switch to it" makes b the default with the running
// deployment moved, and the rollback button goes back to a.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineDefaultsResponse, InstanceInfo } from '../../electron/contract/index.js';
import { testEnginePath } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, type UiSession } from './ui-support.js';

function placeEngine(dataDir: string, id: string): void {
  const dir = join(dataDir, 'engines', id);
  mkdirSync(dir, { recursive: true });
  copyFileSync(testEnginePath(), join(dir, 'llama-server'));
}

describe.skipIf(!haveChromium)('UI engine upgrades in settings', () => {
  const data = tempDir();
  let ui: UiSession;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    placeEngine(data.path, 'engine-a');
    placeEngine(data.path, 'engine-b');
    writeFileSync(join(data.path, 'settings.json'), JSON.stringify({ engines: { defaultEngine: 'engine-a' } }));
    ui = await openUi([], data.path, { width: 1280, height: 1000 });
    ({ page, errors } = ui);
    await ui.admin('POST', '/api/v1/deployments', { model: STORIES_MODEL, name: 'story', overrides: { devices: ['cpu'], parallel: 1, contextSize: 512 } });
    await ui.admin<InstanceInfo>('POST', '/api/v1/deployments/story/load?wait=1');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-engine-upgrades').waitFor();
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    data.cleanup();
  });

  it('checks another engine against the saved deployments and shows the verdict per deployment, then switches and rolls back', async () => {
    await expect.poll(() => page.getByTestId('default-engine').textContent()).toBe('engine-a');
    await page.getByTestId('engine-check').click();
    const row = page.getByTestId('check-story');
    await row.waitFor({ timeout: 120_000 });
    expect(await row.textContent()).toContain('pass');
    expect(await row.textContent()).toContain('identical 64 tokens');
    await screenshot(page, 'settings-engine-check');

    await page.getByTestId('engine-promote').click();
    await expect.poll(() => page.getByTestId('default-engine').textContent(), { timeout: 120_000 }).toBe('engine-b');
    expect(await page.getByTestId('engine-upgrade-result').textContent()).toContain('1 running model(s) moved');
    expect((await ui.admin<{ data: InstanceInfo[] }>('GET', '/api/v1/instances')).data.find((i) => i.id === 'story')!.enginePath).toContain('engine-b');

    await page.getByTestId('engine-rollback').click();
    await expect.poll(() => page.getByTestId('default-engine').textContent(), { timeout: 120_000 }).toBe('engine-a');
    expect((await ui.admin<EngineDefaultsResponse>('GET', '/api/v1/engines/default')).defaultEngine).toBe('engine-a');
    expect(errors).toEqual([]);
  }, 300_000);
});
