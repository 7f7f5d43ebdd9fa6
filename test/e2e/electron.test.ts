// The real desktop app under Playwright's Electron driver: it starts the core in-process with the
// real engine and model, the window shows the dashboard with the engine ready, the renderer has no
// Node and only the contract's bridge, a second launch hands its --model to the running app, and
// quitting (or the OS ending the session) stops the engines before the process exits.
// Needs an Electron binary (never downloaded by tests); skipped with the reason where there is none.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_API_KEYS, type DesktopApi, type InstanceListResponse } from '../../electron/contract/index.js';
import { UI_CSP } from '../../electron/main/security.js';
import { testEnginePath } from '../helpers/engine.js';
import { ROOT, STORIES_MODEL } from '../helpers/paths.js';
import { isAlive, waitFor } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { electronDisplay, findElectronDist, type Display } from '../unit/main/electron-dist.js';

const dist = findElectronDist();
const display = dist.ok ? await electronDisplay() : null;
const skipReason = !dist.ok ? dist.reason : display && 'reason' in display ? display.reason : null;
if (skipReason) console.warn(`[e2e electron] skipped: ${skipReason}`);
const built = ['dist/electron/main/index.js', 'dist/electron/preload/index.cjs', 'dist/renderer/index.html'].every((f) => existsSync(join(ROOT, f)));

declare global {
  interface Window {
    llamaOrch?: DesktopApi;
  }
}

// One display (a private Xvfb in CI) for every describe below.
afterAll(() => (display as Display | null)?.stop?.());

/** Model ids the running app serves, asked from inside its page through the preload bridge. */
function servedModels(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const c = await window.llamaOrch!.connection();
    const res = await fetch(`${c.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${c.adminToken}` } });
    return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
  });
}

function launchApp(dataDir: string, env: NodeJS.ProcessEnv, extra: string[] = []): Promise<ElectronApplication> {
  if (!dist.ok) throw new Error('no Electron');
  return electron.launch({
    executablePath: dist.executable,
    args: [ROOT, '--data-dir', dataDir, '--port', '0', '--engine', testEnginePath(), ...extra],
    env: { ...process.env, ...env, LLAMA_ORCH_DATA_DIR: dataDir },
    timeout: 60_000,
  });
}

describe.skipIf(skipReason !== null)('desktop app (real Electron)', () => {
  let data: ReturnType<typeof tempDir>;
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    if (!dist.ok || !display || 'reason' in display) return;
    expect(built, 'the app is built (npm run build)').toBe(true);
    data = tempDir('llama-orch-electron-');
    app = await launchApp(data.path, display.env, ['--model', STORIES_MODEL]);
    page = await app.firstWindow({ timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    if (app && app.process().exitCode === null) await app.close().catch(() => undefined);
    data?.cleanup();
  });

  it('shows the dashboard with the engine ready', async () => {
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor({ timeout: 30_000 });
    const card = page.locator('article[aria-label="Model stories260K"]');
    await expect.poll(() => card.getAttribute('data-state').catch(() => null), { timeout: 60_000, interval: 250 }).toBe('ready');
    expect(new URL(page.url()).hostname).toBe('127.0.0.1');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible()))).toEqual([true]);
  });

  it('gives the page no Node, only the contract’s bridge, and the strict CSP', async () => {
    const probe = await page.evaluate(async () => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys(window.llamaOrch ?? {}).sort(),
      csp: (await fetch('/')).headers.get('content-security-policy'),
    }));
    expect(probe).toEqual({ require: 'undefined', process: 'undefined', bridge: [...DESKTOP_API_KEYS].sort(), csp: UI_CSP });
  });

  it('fills the import dialog with the path of a dropped file (pathForFile through webUtils)', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByRole('button', { name: 'Import from disk…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a model from disk' });
    // A File backed by the real file on disk, as a drop from the file manager gives.
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'drop-source';
      input.hidden = true;
      document.body.append(input);
    });
    await page.setInputFiles('#drop-source', STORIES_MODEL);
    await page.evaluate(() => {
      const file = (document.getElementById('drop-source') as HTMLInputElement).files![0]!;
      const dt = new DataTransfer();
      dt.items.add(file);
      document.querySelector('[data-testid="import-dropzone"]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => dialog.getByLabel('Path of the .gguf file on this computer').inputValue()).toBe(STORIES_MODEL);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('opens no window for window.open and stays on its page when a link leaves the origin', async () => {
    expect(await page.evaluate(() => window.open('file:///etc/passwd') === null)).toBe(true);
    const before = page.url();
    await page.evaluate(() => {
      window.location.href = 'file:///etc/passwd';
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(page.url()).toBe(before);
    expect(app.windows()).toHaveLength(1);
  });

  it('hands a second launch’s --model (relative to its own folder) to the running app, and the second process exits', async () => {
    if (!dist.ok || !display || 'reason' in display) return;
    copyFileSync(STORIES_MODEL, join(data.path, 'second.gguf'));
    const second = spawn(dist.executable, [ROOT, '--data-dir', data.path, '--model', 'second.gguf'], { cwd: data.path, env: { ...process.env, ...display.env }, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    await expect.poll(() => servedModels(page), { timeout: 30_000, interval: 250 }).toContain('second');
    expect(app.windows()).toHaveLength(1);
  }, 60_000);

  it('stops the engines when the app quits, before the process exits', async () => {
    const list = await page.evaluate(async () => {
      const c = await window.llamaOrch!.connection();
      const res = await fetch(`${c.baseUrl}/api/v1/instances`, { headers: { authorization: `Bearer ${c.adminToken}` } });
      return (await res.json()) as InstanceListResponse;
    });
    const pid = list.data.find((i) => i.modelId === 'stories260K')?.pid;
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid!)).toBe(true);
    const pids = list.data.map((i) => i.pid).filter((p): p is number => typeof p === 'number' && p > 0);

    const proc = app.process();
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    await app.evaluate(({ app: electronApp }) => electronApp.quit()).catch(() => undefined);
    expect(await exited).toBe(0);
    await waitFor(() => pids.every((p) => !isAlive(p)), 'engines to be gone');
    const pidfiles = existsSync(join(data.path, 'run')) ? readdirSync(join(data.path, 'run')).filter((f) => f.endsWith('.pid.json')) : [];
    expect(pidfiles).toEqual([]);
  }, 60_000);
});

describe.skipIf(skipReason !== null)('desktop app when the OS ends the session (real Electron)', () => {
  it('stops the engine and exits on powerMonitor shutdown (logout, restart, power off)', async () => {
    if (!dist.ok || !display || 'reason' in display) return;
    const data = tempDir('llama-orch-electron-end-');
    let app: ElectronApplication | null = null;
    try {
      app = await launchApp(data.path, display.env, ['--model', STORIES_MODEL]);
      const page = await app.firstWindow({ timeout: 60_000 });
      const readyPid = () =>
        page.evaluate(async () => {
          const c = await window.llamaOrch!.connection();
          const res = await fetch(`${c.baseUrl}/api/v1/instances`, { headers: { authorization: `Bearer ${c.adminToken}` } });
          return ((await res.json()) as InstanceListResponse).data.find((i) => i.state === 'ready')?.pid ?? 0;
        });
      await expect.poll(readyPid, { timeout: 60_000, interval: 250 }).toBeGreaterThan(0);
      const pid = await readyPid();
      const proc = app.process();
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      // What Electron emits when logind / NSWorkspace announce the end of the session.
      await app.evaluate(({ powerMonitor }) => void powerMonitor.emit('shutdown', { preventDefault: () => undefined })).catch(() => undefined);
      expect(await exited).toBe(0);
      await waitFor(() => !isAlive(pid), 'engine to be gone');
      const pidfiles = existsSync(join(data.path, 'run')) ? readdirSync(join(data.path, 'run')).filter((f) => f.endsWith('.pid.json')) : [];
      expect(pidfiles).toEqual([]);
    } finally {
      if (app && app.process().exitCode === null) await app.close().catch(() => undefined);
      data.cleanup();
    }
  }, 150_000);
});
