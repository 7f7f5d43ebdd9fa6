// The first-run journey in a real Chromium against the real headless core and engine: open the UI →
// hardware shown → import stories260K.gguf → load it with the placement preview → chat streams an
// answer → stop mid-answer cancels it → the logs page shows the engine's lines → delete the model.
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnginePath } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import type { ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, type UiSession } from './ui-support.js';

describe.skipIf(!haveChromium)('UI first-run journey', () => {
  const data = tempDir();
  let ui: UiSession;
  let serve: ServeHandle;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ui = await openUi(['--engine', testEnginePath()], data.path, { width: 1280, height: 860 });
    ({ serve, page, errors } = ui);
  });

  afterAll(async () => {
    await ui?.close();
    data.cleanup();
  });

  it('shows the hardware and an unfinished checklist on first start', async () => {
    await expect.poll(() => page.getByTestId('cpu-card').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('step-hardware').getAttribute('data-done')).toBe('true');
    expect(await page.getByTestId('step-model').getAttribute('data-done')).toBe('false');
    expect(await page.getByText('No model is loaded yet.').isVisible()).toBe(true);
    await screenshot(page, '01-dashboard-first-run');
  });

  it('imports stories260K.gguf by typing its path in the import dialog', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByText('No models yet.').waitFor();
    await screenshot(page, '02-models-empty');
    await page.getByRole('button', { name: 'Import from disk…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a model from disk' });
    // A browser never tells the page where a dropped file lives (the desktop app's preload does).
    await dialog.getByTestId('import-dropzone').evaluate((zone) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['GGUF'], 'dropped.gguf'));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => dialog.getByText(/does not tell the core where "dropped.gguf" is/).isVisible()).toBe(true);
    expect(await dialog.getByLabel('Path of the .gguf file on this computer').inputValue()).toBe('');
    await dialog.getByLabel('Path of the .gguf file on this computer').fill('/nonexistent/x.gguf');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/\S/); // a clear error, dialog stays open
    await screenshot(page, '03-import-error');
    await dialog.getByLabel('Path of the .gguf file on this computer').fill(STORIES_MODEL);
    await dialog.getByRole('button', { name: 'Import' }).click();
    const row = page.locator('[data-testid^="model-"]');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/llama/);
    await screenshot(page, '04-models-library');
  });

  it('previews the placement, shows a refusal with numbers, and loads the model when forced', async () => {
    await page.getByRole('button', { name: /^Load / }).click();
    const dialog = page.getByRole('dialog', { name: /^Load / });
    await dialog.getByTestId('plan-summary').waitFor({ timeout: 15_000 });
    expect(await dialog.getByTestId('plan-summary').textContent()).toMatch(/CPU: \d+\/\d+ layers/);
    // A context beyond what the model was trained for is refused, with the numbers, and Load is off.
    await dialog.getByLabel('Context (tokens per conversation)').fill('16384');
    await dialog.getByLabel('Parallel conversations (slots)').fill('1');
    await expect.poll(() => dialog.getByTestId('plan-refused').textContent(), { timeout: 10_000 }).toMatch(/16384.*2048/);
    expect(await dialog.getByRole('button', { name: 'Load', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, '05-load-refused');
    // Forcing it re-plans live and is accepted (a long context lets the stop test run long enough).
    await dialog.getByLabel('Load even if the estimate says it does not fit').check();
    await expect.poll(() => dialog.getByTestId('plan-summary').textContent(), { timeout: 10_000 }).toMatch(/16384 × 1 slot/);
    await screenshot(page, '06-load-preview');
    await dialog.getByRole('button', { name: 'Load', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid^="model-"]').getAttribute('data-state'), { timeout: 30_000 }).toBe('ready');
    await screenshot(page, '07-models-loaded');
  });

  it('streams an answer in the chat with time to first token and tokens/s', async () => {
    await page.getByTestId('nav-chat').click();
    await expect.poll(() => page.getByTestId('chat-model-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('loaded');
    await page.getByTestId('chat-max-tokens').fill('64');
    await page.getByTestId('chat-input').fill('Once upon a time');
    await page.getByTestId('chat-input').press('Enter');
    const answer = page.getByTestId('msg-assistant').last();
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
    expect((await answer.textContent())!.length).toBeGreaterThan(20);
    expect(await answer.getByTestId('answer-stats').textContent()).toMatch(/\d+ tokens · first token \d+ ms · \d+ tokens\/s/);
    await screenshot(page, '08-chat-answer');
  });

  it('stops an answer mid-stream: the core cancels it and the answer is marked stopped', async () => {
    await page.getByText('Advanced').click();
    await page.getByTestId('chat-ignore-eos').check();
    await page.getByTestId('chat-max-tokens').fill('15000');
    await page.getByTestId('chat-input').fill('Tell a long story');
    await page.getByTestId('chat-send').click();
    const answer = page.getByTestId('msg-assistant').last();
    await expect.poll(async () => ((await answer.locator('.md').textContent()) ?? '').length, { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByTestId('chat-stop').click();
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 10_000 }).toBe('stopped');
    const stats = (await answer.getByTestId('answer-stats').textContent())!;
    expect(stats).toContain('stopped');
    expect(Number(/(\d+) tokens/.exec(stats)![1])).toBeLessThan(15000);
    await screenshot(page, '09-chat-stopped');
    // The engine is free again at once: a new short answer completes.
    await page.getByTestId('chat-ignore-eos').uncheck();
    await page.getByTestId('chat-max-tokens').fill('16');
    await page.getByTestId('chat-regenerate').click();
    await expect.poll(() => page.getByTestId('msg-assistant').last().getAttribute('data-status'), { timeout: 30_000 }).toBe('done');
  });

  it("shows the engine's log lines, filters them, and marks search hits", async () => {
    await page.getByTestId('nav-logs').click();
    await expect.poll(() => page.getByTestId('logview').getAttribute('data-rows'), { timeout: 10_000 }).not.toBe('0');
    const all = Number(await page.getByTestId('logview').getAttribute('data-rows'));
    expect(all).toBeGreaterThan(10);
    expect(await page.getByTestId('logview').textContent()).toMatch(/llama|server|model/i);
    await screenshot(page, '10-logs');
    await page.getByTestId('log-filter').fill('slot');
    await expect.poll(async () => Number(await page.getByTestId('logview').getAttribute('data-rows'))).toBeLessThan(all);
    const shown = (await page.locator('.logline .log-text').allTextContents()).filter(Boolean);
    expect(shown.length).toBeGreaterThan(0);
    for (const t of shown) expect(t.toLowerCase()).toContain('slot');
    await page.getByLabel('Search').fill('slot');
    expect(await page.locator('.logline mark').count()).toBeGreaterThan(0);
    await screenshot(page, '11-logs-filtered');
  });

  it('shows the running model on the dashboard with its token rate and the API snippets', async () => {
    await page.getByTestId('nav-dashboard').click();
    const card = page.locator('[data-testid^="instance-"]');
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 10_000 }).toBe('ready');
    await expect.poll(() => card.textContent(), { timeout: 10_000 }).toMatch(/\d+ tok\/s/);
    expect(await page.getByTestId('api-url').textContent()).toBe(`${serve.url}/v1`);
    await screenshot(page, '12-dashboard-running');
  });

  it('refuses to delete a loaded model, then deletes it after unloading', async () => {
    await page.getByTestId('nav-models').click();
    const row = page.locator('[data-testid^="model-"]');
    await row.getByRole('button', { name: /^Delete / }).click();
    await page.getByRole('dialog', { name: 'Delete model' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/unload it first/i);
    await row.getByRole('button', { name: 'Unload' }).click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('unloaded');
    await row.getByRole('button', { name: /^Delete / }).click();
    await page.getByRole('dialog', { name: 'Delete model' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No models yet.').waitFor();
    await screenshot(page, '13-models-deleted');
    expect(errors).toEqual([]);
  });
});
