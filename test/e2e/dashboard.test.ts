// The served UI in a real Chromium: the login URL opens a session and the dashboard shows the
// engine as ready, using the same API as every other client.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnginePath } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';
import { CHROMIUM_PATH, launchChromium } from './browser.js';

const haveChromium = existsSync(CHROMIUM_PATH);
if (!haveChromium) console.warn(`[e2e] skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);

describe.skipIf(!haveChromium)('web UI served by llama-orch serve', () => {
  const data = tempDir();
  let serve: ServeHandle;
  let browser: Browser;

  beforeAll(async () => {
    [serve, browser] = await Promise.all([startServe(['--model', STORIES_MODEL, '--engine', testEnginePath(), '--data-dir', data.path]), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    data.cleanup();
  });

  it('logs in through the printed URL and shows the engine as ready', async () => {
    const page = await browser.newPage();
    await page.goto(serve.loginUrl);
    expect(new URL(page.url()).pathname).toBe('/');
    const instance = page.getByTestId('instance-stories260K');
    await expect.poll(() => instance.getAttribute('data-state'), { timeout: 10_000 }).toBe('ready');
    expect(await instance.textContent()).toContain('Ready');
    expect(await page.getByTestId('api-url').textContent()).toBe(`${serve.url}/v1`);
    await page.close();
  });

  it('refuses a login URL that was already used', async () => {
    const page = await browser.newPage();
    const res = await page.goto(serve.loginUrl);
    expect(res?.status()).toBe(401);
    await page.close();
  });
});
