// Pinned models in the library table, in a real Chromium against the real headless core and engine:
// the pin button writes settings.models.pinned, shows its state across reloads, and a pinned model
// outlives the idle timer while an unpinned one is unloaded by it.
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceInfo, ModelManifest, Settings } from '../../electron/contract/index.js';
import { testEnginePath } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, type UiSession } from './ui-support.js';

const IDLE_SWEEP_MS = 5_000; // the core's idle sweep interval (electron/core/core.ts)

describe.skipIf(!haveChromium)('UI pinned models', () => {
  const data = tempDir();
  let ui: UiSession;
  let page: Page;
  let errors: string[];
  let model: ModelManifest;

  const pinButton = () => page.getByRole('button', { name: `Pin ${model.id}` });
  const row = () => page.getByTestId(`model-${model.id}`);

  beforeAll(async () => {
    ui = await openUi(['--engine', testEnginePath()], data.path, { width: 1400, height: 800 });
    ({ page, errors } = ui);
    model = await ui.admin<ModelManifest>('POST', '/api/v1/models/import', { path: STORIES_MODEL, link: true });
    await page.getByTestId('nav-models').click();
    await row().waitFor();
  });

  afterAll(async () => {
    await ui?.close();
    data.cleanup();
  });

  it('pins a model: the button shows it, the setting holds it, and a reload keeps it', async () => {
    expect(await pinButton().getAttribute('aria-pressed')).toBe('false');
    await pinButton().click();
    await expect.poll(() => pinButton().getAttribute('aria-pressed')).toBe('true');
    expect(await pinButton().textContent()).toBe('Pinned');
    await expect.poll(async () => (await ui.admin<Settings>('GET', '/api/v1/settings')).models.pinned).toEqual([model.id]);
    await page.reload();
    await expect.poll(() => pinButton().getAttribute('aria-pressed')).toBe('true');
    expect(await row().getAttribute('data-pinned')).toBe('true');
  });

  it('keeps a pinned model loaded past the idle timeout; unpinned, the idle timer unloads it', async () => {
    await ui.admin('PATCH', '/api/v1/settings', { gateway: { idleTtlSeconds: 1 } });
    const inst = await ui.admin<InstanceInfo>('POST', '/api/v1/instances', { model: model.id, wait: true, contextSize: 512, parallel: 1 });
    expect(inst.modelId).toBe(model.id); // the id the pin names
    await expect.poll(() => row().getAttribute('data-state'), { timeout: 10_000 }).toBe('ready');
    await new Promise((r) => setTimeout(r, IDLE_SWEEP_MS + 2_000)); // at least one sweep after the 1 s timeout
    expect(await row().getAttribute('data-state')).toBe('ready');
    await screenshot(page, '14-models-pinned');
    await pinButton().click();
    await expect.poll(() => pinButton().getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => row().getAttribute('data-state'), { timeout: IDLE_SWEEP_MS * 3 }).toBe('unloaded');
    expect((await ui.admin<Settings>('GET', '/api/v1/settings')).models.pinned).toEqual([]);
    expect(errors).toEqual([]);
  });
});
