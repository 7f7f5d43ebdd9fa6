// The Reports page in a real Chromium against the real headless core and engine: after requests
// and an engine SIGKILL, the page shows the month's deployment with its requests, the incident with
// its cause, the per-key table and the daily chart (uPlot canvas); the screenshot is the sample report.
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceInfo, OpsReport } from '../../electron/contract/index.js';
import { testEnginePath } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, openUi, screenshot, type UiSession } from './ui-support.js';

describe.skipIf(!haveChromium)('UI reports', () => {
  const data = tempDir();
  let ui: UiSession;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ui = await openUi(['--engine', testEnginePath(), '--model', STORIES_MODEL], data.path, { width: 1400, height: 1000 });
    ({ page, errors } = ui);
  });

  afterAll(async () => {
    await ui?.close();
    data.cleanup();
  });

  it('shows availability, the SIGKILL incident with its cause, usage and the daily chart', async () => {
    const chat = async () => {
      const res = await fetch(`${ui.serve.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'stories260K', stream: true, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
    };
    for (let i = 0; i < 3; i++) await chat();
    const pid = ui.serve.enginePids.get('stories260K')!;
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await ui.admin<{ data: InstanceInfo[] }>('GET', '/api/v1/instances')).data.some((i) => i.state === 'ready' && i.pid !== pid), 'the engine to restart', 60_000);
    await chat();
    await waitFor(async () => (await ui.admin<OpsReport>('GET', '/api/v1/reports')).total.requests === 4, 'the store to hold the requests', 20_000);
    await page.getByTestId('nav-reports').click();
    const deployments = page.getByTestId('reports-deployments');
    await deployments.waitFor();
    expect(await deployments.locator('tbody tr').first().textContent()).toMatch(/^stories260K.*%/);
    expect(await page.getByTestId('reports-incidents').textContent()).toMatch(/crash.*SIGKILL/);
    expect(await page.getByTestId('reports-keys').locator('tbody tr').first().textContent()).toMatch(/^\(no key\)40\d+[1-9]\d*$/); // tokens counted from the engine's timings (no include_usage)
    expect(await page.getByTestId('reports-daily-chart').locator('canvas').count()).toBe(1);
    await screenshot(page, '20-reports');
    expect(errors).toEqual([]);
  });
});
