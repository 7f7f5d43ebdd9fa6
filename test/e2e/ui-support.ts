// Shared bits of the UI e2e tests: screenshots under test-results/screenshots/ (not committed; looked
// at by people), the check that Chromium is present, and a logged-in page on a real `serve` (openUi).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { ROOT } from '../helpers/paths.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { CHROMIUM_PATH, launchChromium } from './browser.js';

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export const haveChromium = existsSync(CHROMIUM_PATH);
if (!haveChromium) console.warn(`[e2e] UI tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Collects uncaught page errors and console errors, so a test can assert the UI stayed clean. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Refused requests (a 4xx the UI shows as a message) are logged by the browser itself; skip them.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export interface UiSession {
  serve: ServeHandle;
  browser: Browser;
  page: Page;
  /** Page and console errors seen so far (see watchPageErrors). */
  errors: string[];
  /** The admin API with the page's session cookie (setting up state a test then looks at in the UI). */
  admin<T>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/**
 * `llama-orch serve <serveArgs> --data-dir <data>` and Chromium side by side, one page of the given
 * size logged in through the one-time login URL. close() stops both (the caller cleans up `data`).
 */
export async function openUi(serveArgs: string[], dataDir: string, viewport: { width: number; height: number }, env?: NodeJS.ProcessEnv): Promise<UiSession> {
  // Both start at once; when one fails, the other is stopped before the error goes up.
  const [served, launched] = await Promise.allSettled([startServe([...serveArgs, '--data-dir', dataDir], env ? { env } : {}), launchChromium()]);
  if (served.status === 'rejected' || launched.status === 'rejected') {
    if (launched.status === 'fulfilled') await launched.value.close();
    if (served.status === 'fulfilled') await served.value.stop();
    throw served.status === 'rejected' ? served.reason : (launched as PromiseRejectedResult).reason;
  }
  const [serve, browser] = [served.value, launched.value];
  let page: Page;
  let errors: string[];
  try {
    page = await browser.newPage({ viewport });
    errors = watchPageErrors(page);
    await page.goto(serve.loginUrl);
  } catch (err) {
    await browser.close();
    await serve.stop();
    throw err;
  }
  return {
    serve,
    browser,
    page,
    errors,
    async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
      const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const res = await fetch(serve.url + path, { method, headers: { cookie, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (res.status === 204 ? undefined : await res.json()) as T;
    },
    async close() {
      try {
        await browser.close();
      } finally {
        await serve.stop();
      }
    },
  };
}
