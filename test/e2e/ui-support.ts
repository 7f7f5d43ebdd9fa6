// Shared bits of the UI e2e tests: screenshots under test-results/screenshots/ (not committed; looked
// at by people), and the check that Chromium is present.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { ROOT } from '../helpers/paths.js';
import { CHROMIUM_PATH } from './browser.js';

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
