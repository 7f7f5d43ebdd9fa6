// Engines in Settings, in a real Chromium against the real headless core: an engine placed under the
// data dir is listed; removing it while an instance runs on it shows the core's reason; once the
// instance stops, removing it takes it off the list and off the disk. Installing without network
// fails with a clear message.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_MANIFEST_SCHEMA_VERSION, type EngineManifest, type InstanceInfo, type ModelManifest, type Settings } from '../../electron/contract/index.js';
import { testEnginePath } from '../helpers/engine.js';
import { GGML, llamaModel, writeGguf } from '../helpers/gguf-writer.js';
import { ROOT, STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, type UiSession } from './ui-support.js';

/** Copy the test engine to <data>/engines/test-cpu/bin/llama-server with an engine.json like an install writes. */
function placeEngine(dataDir: string): string {
  const dir = join(dataDir, 'engines', 'test-cpu');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(testEnginePath(), join(dir, 'bin', 'llama-server'));
  const manifest: EngineManifest = {
    schemaVersion: ENGINE_MANIFEST_SCHEMA_VERSION,
    id: 'test-cpu',
    tag: 'b9999',
    variant: 'ubuntu-x64',
    backend: 'cpu',
    source: {
      kind: 'import',
      location: '/imports/llama-b9999-bin-ubuntu-x64.tar.gz',
      archives: [{ name: 'llama-b9999-bin-ubuntu-x64.tar.gz', sha256: 'c0ffee'.padEnd(64, '0'), bytes: 1, url: '/imports/llama-b9999-bin-ubuntu-x64.tar.gz' }],
    },
    license: { spdx: 'MIT', basis: 'file', files: ['LICENSE'] },
    binary: join('bin', 'llama-server'),
    installedAt: new Date().toISOString(),
    choiceReason: null,
    selfTest: { ok: true, version: 'version: 9999 (testbuild)', build: 9999, commit: 'testbuild', versionOutput: '', devices: [], listDevicesOutput: '', traceVerbosity: true, error: null },
  };
  writeFileSync(join(dir, 'engine.json'), JSON.stringify(manifest));
  return dir;
}

describe.skipIf(!haveChromium)('UI engines in settings', () => {
  const data = tempDir();
  let engineDir: string;
  let ui: UiSession;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    engineDir = placeEngine(data.path);
    ui = await openUi([], data.path, { width: 1280, height: 900 });
    ({ page, errors } = ui);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-engine-list').waitFor();
  });

  afterAll(async () => {
    await ui?.close();
    data.cleanup();
  });

  it('lists the engine placed under the data dir with its release, version and devices', async () => {
    const row = page.getByTestId('engine-test-cpu');
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('ubuntu-x64');
    expect(text).toContain('b9999');
    expect(text).toContain('version: 9999');
    expect(text).toContain('idle');
    await screenshot(page, '30-settings-engines');
  });

  it('shows the app version and the engine build with its commit, digest, origin and licence under About', async () => {
    const about = page.getByTestId('about-engine-test-cpu');
    await about.waitFor();
    const text = await about.textContent();
    for (const fact of ['b9999', 'testbuild', 'ubuntu-x64', 'c0ffee'.padEnd(64, '0'), '/imports/llama-b9999-bin-ubuntu-x64.tar.gz', 'MIT (licence file in the archive)']) expect(text).toContain(fact);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    await expect.poll(() => page.getByTestId('about-version').textContent()).toBe(version);
    expect(await page.getByTestId('settings-about').textContent()).toContain('MIT licence');
  });

  it('refuses to remove an engine an instance runs on, and says which instance', async () => {
    const model = await ui.admin<ModelManifest>('POST', '/api/v1/models/import', { path: STORIES_MODEL, link: true });
    const inst = await ui.admin<InstanceInfo>('POST', '/api/v1/instances', { model: model.id, engine: 'test-cpu', wait: true, contextSize: 512, parallel: 1 });
    await page.reload();
    await expect.poll(() => page.getByTestId('engine-test-cpu').textContent(), { timeout: 10_000 }).toContain(`in use by ${inst.id}`);
    await page.getByRole('button', { name: 'Remove engine test-cpu' }).click();
    await page.getByTestId('engine-remove-confirm').click();
    await expect.poll(() => page.getByTestId('engine-removal').textContent()).toMatch(new RegExp(`Still in use: .*${inst.id}.*stop them first`));
    expect(await page.getByTestId('engine-removal').getAttribute('role')).toBe('alert');
    expect(existsSync(engineDir)).toBe(true);
    await screenshot(page, '31-settings-engine-in-use');
    await ui.admin('DELETE', `/api/v1/instances/${encodeURIComponent(inst.id)}`);
  });

  it('removes the engine after confirmation: gone from the list and from the disk', async () => {
    await page.reload();
    await expect.poll(() => page.getByTestId('engine-test-cpu').textContent(), { timeout: 15_000 }).toContain('idle');
    await page.getByRole('button', { name: 'Remove engine test-cpu' }).click();
    await page.getByRole('dialog', { name: 'Remove engine' }).getByRole('button', { name: 'Keep it' }).click();
    expect(await page.getByTestId('engine-test-cpu').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Remove engine test-cpu' }).click();
    await page.getByTestId('engine-remove-confirm').click();
    await page.getByTestId('engine-test-cpu').waitFor({ state: 'detached' });
    expect(await page.getByTestId('engine-removal').textContent()).toContain('Engine test-cpu was removed.');
    expect(await page.getByText('No engine installed.').isVisible()).toBe(true);
    await expect.poll(() => existsSync(engineDir)).toBe(false);
  });

  it('saves "Trace engine logs" and shows what it does', async () => {
    const section = page.getByTestId('settings-engines');
    expect(await section.getByText(/memory buffers.*chattier and a little slower/).isVisible()).toBe(true);
    expect(await page.getByTestId('trace-logs').isChecked()).toBe(false);
    await page.getByTestId('trace-logs').check();
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.getByRole('status').textContent()).toContain('Saved');
    expect((await ui.admin<Settings>('GET', '/api/v1/settings')).engines.traceLogs).toBe(true);
    await page.reload();
    await expect.poll(() => page.getByTestId('trace-logs').isChecked()).toBe(true);
    await page.getByTestId('trace-logs').uncheck();
    await page.getByTestId('settings-engines').getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await ui.admin<Settings>('GET', '/api/v1/settings')).engines.traceLogs).toBe(false);
  });

  it('shows a clear error when an engine cannot be installed (no network here)', async () => {
    await page.getByTestId('engine-backend').selectOption('cpu');
    await page.getByTestId('engine-install').click();
    const job = page.getByTestId('settings-engine-install');
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('failed');
    expect(await job.getByRole('alert').textContent()).toMatch(/The engine could not be installed: \S+/);
    expect(await page.getByTestId('engine-install').isEnabled()).toBe(true);
    await screenshot(page, '32-settings-engine-install-error');
    expect(errors).toEqual([]);
  });

  it("shows each model's licence on the Models page: the GGUF's general.license, or a dash", async () => {
    const { kv, tensors } = llamaModel({ name: 'Licensed', blocks: 2, embd: 64, ffn: 128, heads: 4, headsKv: 2, vocab: 64, context: 512, fileType: 7, weightType: GGML.Q8_0 });
    const file = join(data.path, 'Licensed-Q8_0.gguf');
    writeGguf(file, { ...kv, 'general.license': { type: 'string', value: 'apache-2.0' } }, tensors);
    const licensed = await ui.admin<ModelManifest>('POST', '/api/v1/models/import', { path: file, link: true });
    await page.getByTestId('nav-models').click();
    const cell = page.getByTestId(`license-of-${licensed.id}`);
    await cell.waitFor();
    expect(await cell.textContent()).toBe('apache-2.0');
    expect(await cell.getAttribute('title')).toBe('From the GGUF metadata');
    expect(await page.getByTestId('license-of-stories260k').textContent()).toBe('—'); // stories260K's metadata names none
    expect(errors).toEqual([]);
  });
});
