// Settings in a real Chromium against the real headless core: API keys created in the UI work from a
// plain HTTP client, a wrong or revoked key gets 401; settings save with field-named errors; the
// theme setting switches the whole UI to dark.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnginePath } from '../helpers/engine.js';
import type { ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, watchPageErrors, type UiSession } from './ui-support.js';

describe.skipIf(!haveChromium)('UI settings', () => {
  const data = tempDir();
  let ui: UiSession;
  let serve: ServeHandle;
  let page: Page;
  let errors: string[];
  const modelsWith = (key?: string) => fetch(`${serve.url}/v1/models`, key ? { headers: { authorization: `Bearer ${key}` } } : {}).then((r) => r.status);

  beforeAll(async () => {
    ui = await openUi(['--engine', testEnginePath()], data.path, { width: 1280, height: 900 });
    ({ serve, page, errors } = ui);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-api').waitFor();
  });

  afterAll(async () => {
    await ui?.close();
    data.cleanup();
  });

  async function createKey(name: string): Promise<string> {
    await page.getByTestId('key-name').fill(name);
    await page.getByTestId('key-create').click();
    const dialog = page.getByRole('dialog', { name: 'Your new API key' });
    const key = (await dialog.getByTestId('new-key').textContent())!.trim();
    return key;
  }

  it('creates API keys that work from an HTTP client, while a wrong key and no key get 401', async () => {
    await page.getByText('No API keys yet.').waitFor(); // the key list loads after the forms
    await screenshot(page, '20-settings');
    expect(await modelsWith()).toBe(200); // loopback, no key exists yet: open
    const key = await createKey('Test client');
    expect(key.length).toBeGreaterThan(20);
    await screenshot(page, '21-settings-new-key');
    await page.getByRole('dialog', { name: 'Your new API key' }).getByRole('button', { name: 'Done' }).click();
    expect(await page.getByRole('dialog', { name: 'Your new API key' }).isVisible()).toBe(false);
    expect(await page.getByTestId('key-Test client').textContent()).toContain(key.slice(0, 6)); // the prefix, not the key
    expect(await page.getByTestId('key-Test client').textContent()).not.toContain(key);
    expect(await modelsWith(key)).toBe(200);
    expect(await modelsWith(`${key}x`)).toBe(401);
    expect(await modelsWith()).toBe(401);
  });

  it('revokes a key: the client using it gets 401 at once', async () => {
    const other = await createKey('Other client');
    await page.getByRole('dialog', { name: 'Your new API key' }).getByRole('button', { name: 'Done' }).click();
    const key = other;
    expect(await modelsWith(key)).toBe(200);
    await page.getByRole('button', { name: 'Revoke Other client' }).click();
    await page.getByTestId('key-revoke-confirm').click();
    await page.getByTestId('key-Other client').waitFor({ state: 'detached' });
    expect(await modelsWith(key)).toBe(401); // another key still exists, so /v1 still needs a valid one
    await screenshot(page, '22-settings-keys');
  });

  it("creates a key with limits, shows them with the key's usage, and edits them", async () => {
    await page.getByTestId('key-name').fill('Legal search');
    await page.getByText('Limits (optional)').click();
    await page.getByTestId('key-limit-models').fill('legal-search');
    await page.getByTestId('key-limit-tokensPerDay').fill('1000');
    await page.getByTestId('key-create').click();
    const dialog = page.getByRole('dialog', { name: 'Your new API key' });
    const key = (await dialog.getByTestId('new-key').textContent())!.trim();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = page.getByTestId('key-Legal search');
    await expect.poll(() => row.textContent()).toContain('legal-search');
    expect(await row.getByTestId('key-usage-today').textContent()).toBe('0 req, 0 of 1,000 tokens');
    // The allow-list holds on the API: the key sees no other model.
    const models = (await fetch(`${serve.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json())) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual([]);

    await row.getByRole('button', { name: 'Edit limits of Legal search' }).click();
    const edit = page.getByRole('dialog', { name: 'Limits of Legal search' });
    await edit.getByTestId('key-limit-rpm').fill('0');
    await edit.getByTestId('key-limits-save').click();
    await expect.poll(() => edit.getByRole('alert').textContent()).toMatch(/not changed \(rpm\)/);
    await edit.getByTestId('key-limit-rpm').fill('30');
    await edit.getByTestId('key-limits-save').click();
    await edit.waitFor({ state: 'hidden' });
    await expect.poll(() => row.textContent()).toContain('30/min');
    await screenshot(page, '24-settings-key-limits');
  });

  it('saves a setting, and names the field of a value the core refuses', async () => {
    const gateway = page.getByTestId('settings-gateway');
    await page.getByTestId('idle-ttl').fill('15');
    await gateway.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => gateway.getByRole('status').textContent()).toContain('Saved');
    const saved = await fetch(`${serve.url}/api/v1/settings`, { headers: { cookie: await sessionCookie(page) } }).then((r) => r.json() as Promise<{ gateway: { idleTtlSeconds: number } }>);
    expect(saved.gateway.idleTtlSeconds).toBe(900);

    const api = page.getByTestId('settings-api');
    await api.getByLabel(/CORS origins/).fill('intranet without scheme');
    await api.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => api.getByRole('alert').textContent()).toMatch(/Not saved.*corsOrigins/i);
    await screenshot(page, '23-settings-error');
  });

  it('sets service levels: business hours in a time zone and a deployment’s own target, and names a bad time zone', async () => {
    const section = page.getByTestId('settings-reports');
    await page.getByTestId('slo-availability').fill('99.9');
    await page.getByTestId('slo-all-week').uncheck();
    await section.getByLabel('Sat', { exact: true }).check(); // Mon–Fri are preset: now Mon–Sat
    await page.getByTestId('slo-to').fill('24:00');
    await page.getByTestId('slo-time-zone').fill('Europe/Berlin');
    await page.getByTestId('slo-override-add').click();
    const override = page.getByTestId('slo-override').first();
    await override.getByLabel('Deployment').fill('stories260K');
    await override.getByLabel('TTFT p95 ms').fill('750');
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.getByRole('status').textContent()).toContain('Saved');
    const get = async () => ((await fetch(`${serve.url}/api/v1/settings`, { headers: { cookie: await sessionCookie(page) } }).then((r) => r.json())) as { reports: Record<string, unknown> }).reports;
    expect(await get()).toMatchObject({
      availabilityTargetPercent: 99.9,
      businessHours: { days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '24:00' },
      timeZone: 'Europe/Berlin',
      deploymentSlos: { stories260K: { ttftP95TargetMs: 750 } },
    });
    await screenshot(page, '24-settings-service-levels');

    await page.getByTestId('slo-time-zone').fill('Mars/Olympus');
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.getByRole('alert').textContent()).toMatch(/Not saved.*reports\.timeZone/);
    expect((await get()).timeZone).toBe('Europe/Berlin');
  });

  it('turns offline mode on: a hub search then says "offline mode" instead of connecting', async () => {
    const network = page.getByTestId('settings-network');
    await page.getByTestId('offline-toggle').check();
    await network.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => network.getByRole('status').textContent()).toContain('Saved');
    const search = await fetch(`${serve.url}/api/v1/models/search?q=llama`, { headers: { cookie: await sessionCookie(page) } });
    expect(search.status).toBe(409);
    expect(((await search.json()) as { error: { message: string } }).error.message).toMatch(/^offline mode is on/);
    await page.getByTestId('offline-toggle').uncheck();
    await network.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => ((await fetch(`${serve.url}/api/v1/settings`, { headers: { cookie: await sessionCookie(page) } }).then((r) => r.json())) as { network: { offline: boolean } }).network.offline)
      .toBe(false);
  });

  it('downloads the diagnostics bundle from Settings → Support', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('diagnostics-download').click()]);
    expect(download.suggestedFilename()).toMatch(/^llama-orch-diagnostics-.+\.zip$/);
    const file = await download.path();
    // Entry names are stored as plain text in a zip's headers: no unzip tool needed to list them.
    const zip = readFileSync(file);
    expect(zip.subarray(0, 2).toString()).toBe('PK');
    for (const name of ['index.txt', 'versions.json', 'settings.json', 'requests/stats.json']) expect(zip.includes(name), name).toBe(true);
  });

  it('exports an offline kit to a folder and imports it back, and names what is wrong with a folder that is no kit', async () => {
    const kitParent = tempDir();
    try {
      const section = page.getByTestId('settings-kit');
      await page.getByTestId('kit-dir').fill(join(kitParent.path, 'kit'));
      await page.getByTestId('kit-export').click();
      await expect
        .poll(() =>
          section
            .getByRole('status')
            .textContent()
            .catch(() => ''),
        )
        .toMatch(/^Kit written: /);
      expect(existsSync(join(kitParent.path, 'kit', 'kit.json'))).toBe(true);
      await page.getByTestId('kit-import').click();
      await expect
        .poll(() =>
          section
            .getByRole('status')
            .textContent()
            .catch(() => ''),
        )
        .toMatch(/^Imported: /);
      await page.getByTestId('kit-dir').fill(kitParent.path);
      await page.getByTestId('kit-import').click();
      await expect
        .poll(() =>
          section
            .getByRole('alert')
            .textContent()
            .catch(() => ''),
        )
        .toMatch(/is not a kit: kit\.json is missing/);
    } finally {
      kitParent.cleanup();
    }
  });

  it("picks the kit folder with the desktop app's dialog (preload stand-in); a browser has only the typed path", async () => {
    expect(await page.getByTestId('kit-export-pick').count()).toBe(0);
    const kitParent = tempDir();
    // A second page with the first one's session (the login URL works once).
    const ctx = await ui.browser.newContext({ storageState: await page.context().storageState() });
    const desk = await ctx.newPage();
    try {
      const folder = join(kitParent.path, 'picked-kit');
      // What the preload exposes (connection, pickKitFolder), recording which dialogs were asked for.
      await desk.addInitScript((dir: string) => {
        const w = window as unknown as Record<string, unknown> & { asked: string[] };
        w.asked = [];
        w.llamaOrch = { connection: async () => ({ baseUrl: location.origin, adminToken: null }), pickKitFolder: async (purpose: string) => (w.asked.push(purpose), dir) };
      }, folder);
      const deskErrors = watchPageErrors(desk);
      await desk.goto(`${serve.url}/#/settings`);
      await desk.getByTestId('settings-kit').waitFor();
      expect(deskErrors).toEqual([]);
      await desk.getByTestId('kit-export-pick').click();
      const section = desk.getByTestId('settings-kit');
      await expect
        .poll(
          () =>
            section
              .getByRole('status')
              .textContent()
              .catch(() => ''),
          { timeout: 60_000 },
        )
        .toMatch(/^Kit written: /);
      expect(existsSync(join(folder, 'kit.json'))).toBe(true);
      expect(await desk.getByTestId('kit-dir').inputValue()).toBe(folder);
      expect(await desk.evaluate(() => (window as unknown as { asked: string[] }).asked)).toEqual(['export']);
    } finally {
      await ctx.close();
      kitParent.cleanup();
    }
  });

  it('switches to the dark theme and keeps it across a reload', async () => {
    const ui = page.getByTestId('settings-ui');
    await ui.getByLabel('dark').check();
    await ui.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(17, 20, 24)');
    await screenshot(page, '24-settings-dark');
    await page.reload();
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('cpu-card').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await screenshot(page, '25-dashboard-dark');
    await page.getByTestId('nav-models').click();
    await page.getByText('No models yet.').waitFor();
    await screenshot(page, '26-models-dark');
    expect(errors).toEqual([]);
  });
});

async function sessionCookie(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
