// Settings → Remote servers in a real Chromium against the real headless core: an upstream (a bare
// llama-server that needs a key) added in the UI shows as healthy with its model, its model answers
// through /v1, the key is never shown on the page, and Remove takes it away.
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDirectEngine, testEnginePath, type DirectEngine } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import type { ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, type UiSession } from './ui-support.js';

const KEY = 'sk-ui-upstream-93be1d0c4a77';

describe.skipIf(!haveChromium)('UI remote servers', () => {
  const data = tempDir();
  let ui: UiSession;
  let serve: ServeHandle;
  let page: Page;
  let upstream: DirectEngine;

  beforeAll(async () => {
    upstream = await startDirectEngine(['-m', STORIES_MODEL, '--api-key', KEY, '--alias', 'stories', '-np', '1']);
    ui = await openUi(['--engine', testEnginePath()], data.path, { width: 1280, height: 900 });
    ({ serve, page } = ui);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-upstreams').waitFor();
  });

  afterAll(async () => {
    await ui?.close();
    await upstream?.stop();
    data.cleanup();
  });

  it('adds a remote server with a key, shows it healthy without the key, serves its model, and removes it', async () => {
    await page.getByTestId('upstream-name').fill('lab');
    await page.getByTestId('upstream-baseUrl').fill(upstream.url);
    await page.getByTestId('upstream-apiKey').fill(KEY);
    await page.getByTestId('upstream-add').click();
    const table = page.getByTestId('upstreams-table');
    // The health check runs at once; the list refreshes every 5 s.
    await table.getByText('ok — 1 model(s)').waitFor({ timeout: 30_000 });
    await screenshot(page, '60-settings-upstreams');
    expect(await page.getByTestId('settings-upstreams').textContent()).not.toContain(KEY);
    expect(await page.getByTestId('upstream-apiKey').inputValue()).toBe('');

    const res = await fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'lab/stories', max_tokens: 8, messages: [{ role: 'user', content: 'Once upon a time' }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content.length).toBeGreaterThan(0);

    await table.getByRole('button', { name: 'Remove' }).click();
    await table.waitFor({ state: 'detached' });
    const models = (await (await fetch(`${serve.url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).not.toContain('lab/stories');
  });
});
