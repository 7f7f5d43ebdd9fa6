// The first-run screen in a real Chromium against the real headless core on an empty data dir: it lists
// the catalogue models that fit this machine as the real planner judged them, recommends one, says
// "offline mode" instead of downloading when that is on, can be put away (remembered), and with one
// click installs the engine from a local release mirror, pulls the model from a local Hub mirror
// (HF_ENDPOINT; stories260K served under the catalogue's file names) and opens a chat that answers;
// under `serve --engine` it installs no engine over the one named.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogResponse, Settings } from '../../electron/contract/index.js';
import { testEnginePath } from '../helpers/engine.js';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, type UiSession } from './ui-support.js';

const TAG = 'b9002';
const ASSET = `llama-${TAG}-bin-ubuntu-${process.arch}.tar.gz`;
const API = '/repos/ggml-org/llama.cpp';
const canRun = process.platform === 'linux' && process.arch === 'x64';
if (haveChromium && !canRun) console.warn('[e2e] ui-first-run skipped: the test engine archive is built for linux-x64 only');

/** A llama.cpp-shaped release archive of the test engine, and the release JSON naming it. */
function releaseOf(work: string, baseUrl: string): { archive: string; json: string } {
  const root = join(work, 'src', `llama-${TAG}`);
  mkdirSync(root, { recursive: true });
  copyFileSync(testEnginePath(), join(root, 'llama-server'));
  const archive = join(work, ASSET);
  execFileSync('tar', ['-czf', archive, '-C', join(work, 'src'), `llama-${TAG}`]);
  const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
  const asset = { name: ASSET, size: statSync(archive).size, digest: `sha256:${sha}`, browser_download_url: `${baseUrl}/dl/${ASSET}` };
  return { archive, json: JSON.stringify({ tag_name: TAG, name: TAG, published_at: '2026-09-26T10:00:00Z', target_commitish: 'f'.repeat(40), assets: [asset] }) };
}

describe.skipIf(!haveChromium || !canRun)('UI first run', () => {
  const data = tempDir();
  const work = tempDir();
  let hub: FakeHub;
  let ui: UiSession;
  let page: Page;
  let catalog: CatalogResponse;

  beforeAll(async () => {
    hub = await startFakeHub();
    const { archive, json } = releaseOf(work.path, hub.url);
    hub.server.routes.set(`/dl/${ASSET}`, { file: archive });
    hub.server.routes.set(`${API}/releases/tags/${TAG}`, { body: json, contentType: 'application/json' });
    ui = await openUi([], data.path, { width: 1280, height: 1000 }, { HF_ENDPOINT: hub.url });
    page = ui.page;
    catalog = await ui.admin<CatalogResponse>('GET', '/api/v1/catalog');
    // Every catalogue file is served (as stories260K): whichever model this machine gets recommended can be pulled.
    for (const m of catalog.models) await hub.addRepo({ repo: m.repo, files: [{ path: m.file, file: STORIES_MODEL }] });
    await ui.admin<Settings>('PATCH', '/api/v1/settings', { engines: { releaseSource: 'mirror', mirrorUrl: `${hub.url}${API}`, tag: TAG } });
    await page.getByTestId('first-run').waitFor();
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await hub?.close();
    data.cleanup();
    work.cleanup();
  });

  it('lists the chat models that fit with size, licence and the planner verdict, the recommended one first; the others with why', async () => {
    const fitting = catalog.models.filter((m) => m.fit !== null && m.roles.includes('chat'));
    expect(fitting.length).toBeGreaterThan(0);
    expect(catalog.recommended).not.toBeNull();
    await page.getByTestId(`catalog-${catalog.recommended}`).waitFor();
    const shown = await page.locator('[data-testid^="catalog-get-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace('catalog-get-', '')));
    expect(shown[0]).toBe(catalog.recommended);
    expect(shown.sort()).toEqual(fitting.map((m) => m.id).sort());
    const first = await page.getByTestId(`catalog-${catalog.recommended}`).textContent();
    const rec = catalog.models.find((m) => m.id === catalog.recommended)!;
    expect(first).toContain('Recommended');
    expect(first).toContain(rec.licence);
    expect(first).toContain(rec.quant);
    expect(first).toMatch(/runs on the (CPU|GPU)|split over the GPUs/);
    for (const m of catalog.models.filter((x) => x.fit === null && x.roles.includes('chat'))) expect(await page.getByTestId(`catalog-nofit-${m.id}`).textContent()).toContain(m.reason ?? '');
    await screenshot(page, '60-first-run');
  });

  it('says "offline mode" and points to the offline kit instead of offering downloads when offline mode is on', async () => {
    await ui.admin<Settings>('PATCH', '/api/v1/settings', { network: { offline: true } });
    await page.reload();
    await expect.poll(() => page.getByTestId('first-run-offline').textContent()).toMatch(/Offline mode is on.*offline kit/);
    expect(await page.locator('[data-testid^="catalog-get-"]').count()).toBe(0);
    await ui.admin<Settings>('PATCH', '/api/v1/settings', { network: { offline: false } });
  });

  it('is put away with "Not now" and stays away after a reload', async () => {
    await page.reload();
    await page.getByTestId('first-run-dismiss').click();
    await page.getByTestId('first-run').waitFor({ state: 'detached' });
    await page.reload();
    await page.getByTestId('step-engine').waitFor(); // the dashboard is there, without the first-run screen
    expect(await page.getByTestId('first-run').count()).toBe(0);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.getByTestId('first-run').waitFor();
  });

  it('says why when the engine cannot be installed, and lets the user try again', async () => {
    await ui.admin<Settings>('PATCH', '/api/v1/settings', { engines: { releaseSource: 'mirror', mirrorUrl: `${hub.url}/no-such-mirror`, tag: TAG } });
    const rec = catalog.models.find((m) => m.id === catalog.recommended)!;
    await page.getByTestId(`catalog-get-${rec.id}`).click();
    const job = page.getByTestId('first-run-job');
    await expect.poll(() => job.getAttribute('data-phase'), { timeout: 60_000 }).toBe('failed');
    expect(await job.getByRole('alert').textContent()).toMatch(/^The engine could not be installed: \S+/);
    expect(await page.getByTestId(`catalog-get-${rec.id}`).isEnabled()).toBe(true);
    expect(existsSync(join(data.path, 'engines')) ? readdirSync(join(data.path, 'engines')).filter((d) => !d.startsWith('.')) : []).toEqual([]);
    await ui.admin<Settings>('PATCH', '/api/v1/settings', { engines: { releaseSource: 'mirror', mirrorUrl: `${hub.url}${API}`, tag: TAG } });
  });

  it('one click installs the engine, pulls the recommended model with progress and opens a chat that answers', async () => {
    const rec = catalog.models.find((m) => m.id === catalog.recommended)!;
    await page.getByTestId(`catalog-get-${rec.id}`).click();
    await expect.poll(() => page.getByTestId('first-run-job').getAttribute('data-phase')).toMatch(/engine|model/);
    await page.waitForURL(/#\/chat\?model=/, { timeout: 120_000 });
    expect(readdirSync(join(data.path, 'engines'))).toEqual([`${TAG}-ubuntu-${process.arch}`]);
    expect(hub.server.log.some((l) => l.path === `/dl/${ASSET}`)).toBe(true);
    expect(hub.server.log.some((l) => l.path.endsWith(`/${rec.file}`))).toBe(true);
    const model = new URL(page.url()).hash.split('model=')[1]!;
    expect(existsSync(join(data.path, 'models'))).toBe(true);
    await expect.poll(() => page.getByTestId('chat-model').inputValue()).toBe(decodeURIComponent(model));
    await page.getByTestId('chat-input').fill('Once upon a time');
    await page.getByTestId('chat-input').press('Enter');
    const answer = page.getByTestId('msg-assistant').last();
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    expect((await answer.textContent())!.trim().length).toBeGreaterThan(0);
    await screenshot(page, '61-first-run-chat');
    await page.getByTestId('nav-dashboard').click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('Running models').waitFor();
    expect(await page.getByTestId('first-run').count()).toBe(0); // the library has a model now
    expect(ui.errors).toEqual([]);
  }, 180_000);
});

describe.skipIf(!haveChromium || !canRun)('UI first run with serve --engine', () => {
  const data = tempDir();
  let hub: FakeHub;
  let ui: UiSession;

  beforeAll(async () => {
    hub = await startFakeHub();
    ui = await openUi(['--engine', testEnginePath()], data.path, { width: 1280, height: 1000 }, { HF_ENDPOINT: hub.url });
    const catalog = await ui.admin<CatalogResponse>('GET', '/api/v1/catalog');
    for (const m of catalog.models) await hub.addRepo({ repo: m.repo, files: [{ path: m.file, file: STORIES_MODEL }] });
    await ui.page.getByTestId('first-run').waitFor();
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await hub?.close();
    data.cleanup();
  });

  it('installs no engine over the one named on the command line: pulls the model and the chat answers', async () => {
    const { page } = ui;
    const catalog = await ui.admin<CatalogResponse>('GET', '/api/v1/catalog');
    await page.getByTestId(`catalog-get-${catalog.recommended}`).click();
    await page.waitForURL(/#\/chat\?model=/, { timeout: 120_000 });
    expect(existsSync(join(data.path, 'engines')) ? readdirSync(join(data.path, 'engines')).filter((d) => !d.startsWith('.')) : []).toEqual([]);
    await page.getByTestId('chat-input').fill('Once upon a time');
    await page.getByTestId('chat-input').press('Enter');
    const answer = page.getByTestId('msg-assistant').last();
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    expect(ui.errors).toEqual([]);
  }, 180_000);
});
