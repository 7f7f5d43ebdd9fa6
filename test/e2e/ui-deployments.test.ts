// Deployments on the Models page, in a real Chromium against the real headless core and engine: a
// model served from a path (`serve --model`) is listed, and the Load dialog saves a deployment with
// its name and aliases that the core then serves under them; a frozen engine shows on the dashboard.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentListResponse, ModelManifest } from '../../electron/contract/index.js';
import { testEnginePath } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { isAlive } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, type UiSession } from './ui-support.js';

describe.skipIf(!haveChromium)('UI deployments', () => {
  const data = tempDir();
  let ui: UiSession;
  let page: Page;
  let model: ModelManifest;

  beforeAll(async () => {
    ui = await openUi(['--engine', testEnginePath(), '--model', STORIES_MODEL], data.path, { width: 1400, height: 900 });
    ({ page } = ui);
    model = await ui.admin<ModelManifest>('POST', '/api/v1/models/import', { path: STORIES_MODEL, link: true });
    await page.getByTestId('nav-models').click();
  });

  afterAll(async () => {
    await ui?.close();
    data.cleanup();
  });

  it('lists a model served from a path with serve --model, loaded and not saved', async () => {
    const row = page.getByTestId('deployment-stories260K');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('ready');
    expect(await row.getAttribute('data-saved')).toBe('false');
    expect(await row.textContent()).toMatch(/not saved: runs with defaults/);
  });

  it('saves a deployment from the Load dialog, with a name and an alias, and loads it', async () => {
    // The library row shows the same file as loaded while serve --model runs it: unload that first.
    await ui.admin('POST', '/api/v1/deployments/stories260K/unload');
    await page.getByRole('button', { name: `Load ${model.id}` }).click();
    const dialog = page.getByRole('dialog', { name: /^Load / });
    await dialog.getByTestId('plan-summary').waitFor({ timeout: 15_000 });
    await dialog.getByLabel('CPU only').check();
    await dialog.getByLabel('Parallel conversations (slots)').fill('2');
    await dialog.getByLabel('Name', { exact: true }).fill('office');
    await dialog.getByLabel(/Other names clients may use/).fill('gpt-4o-mini, default');
    await dialog.getByLabel('Reproducible (same seed, same answer)').check();
    await screenshot(page, '15-load-save-deployment');
    await dialog.getByRole('button', { name: 'Load', exact: true }).click();
    const row = page.getByTestId('deployment-office');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    expect(await row.getAttribute('data-saved')).toBe('true');
    expect(await row.textContent()).toMatch(/also gpt-4o-mini, default.*devices cpu · 2 slots · reproducible/);
    await expect.poll(() => page.getByTestId(`model-${model.id}`).getAttribute('data-state')).toBe('ready'); // the library row knows it runs
    const saved = (await ui.admin<DeploymentListResponse>('GET', '/api/v1/deployments')).data.find((d) => d.name === 'office')!;
    expect(saved).toMatchObject({ model: model.id, aliases: ['gpt-4o-mini', 'default'], overrides: { devices: ['cpu'], parallel: 2 }, reproducible: true });
    const answer = await fetch(`${ui.serve.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }) });
    expect(((await answer.json()) as { model: string }).model).toBe('office');
    await screenshot(page, '16-models-deployments');
  });
});

describe.skipIf(!haveChromium)('UI engine liveness', () => {
  const data = tempDir();
  let ui: UiSession;
  let frozen = 0;

  beforeAll(async () => {
    // Probes every 0.5 s, two misses: a frozen engine is noticed within about two seconds.
    writeFileSync(join(data.path, 'settings.json'), JSON.stringify({ schemaVersion: 1, engines: { livenessIntervalSeconds: 0.5, livenessMisses: 2 } }));
    ui = await openUi(['--engine', testEnginePath(), '--model', STORIES_MODEL], data.path, { width: 1280, height: 860 });
  });

  afterAll(async () => {
    if (frozen && isAlive(frozen)) process.kill(frozen, 'SIGCONT');
    await ui?.close();
    data.cleanup();
  });

  it('shows on the dashboard that an engine stopped answering and was restarted', async () => {
    const { page, serve } = ui;
    frozen = serve.enginePids.get('stories260K')!;
    await page.getByTestId('instance-stories260K').waitFor({ timeout: 15_000 });
    process.kill(frozen, 'SIGSTOP');
    const note = page.getByTestId('instance-hangs-stories260K');
    await expect.poll(() => note.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await note.textContent()).toMatch(/Stopped answering once: killed and restarted/);
    await expect.poll(() => page.getByTestId('instance-stories260K').getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    expect(isAlive(frozen)).toBe(false);
    await screenshot(page, '17-dashboard-engine-hung');
  });
});
