// The printable HTML report in a real Chromium: built from a real store (a month of requests, an
// incident, GPU power samples), opened as the file a customer would get. Both uPlot charts are drawn
// (canvas with a non-zero size and pixels on it) under the page's own CSP with no console errors,
// on screen and in print; the screenshot is the sample report, the PDF proves it prints.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../electron/core/reports/report.js';
import { reportHtml } from '../../electron/core/reports/render.js';
import { OpsStore } from '../../electron/core/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { launchChromium } from './browser.js';
import { haveChromium, screenshot, SCREENSHOTS, watchPageErrors } from './ui-support.js';

const DAY = 86_400_000;
const NOV = Date.UTC(2026, 10, 1);

function sampleReportHtml(dir: string): string {
  const store = new OpsStore(join(dir, 'ops.sqlite'), () => NOV + 20 * DAY);
  store.recordAvailability({ timeMs: NOV, deployment: 'qwen-chat', status: 'up', reason: null });
  store.recordAvailability({ timeMs: NOV + 9 * DAY + 3_600_000, deployment: 'qwen-chat', status: 'down', reason: 'engine exited (signal SIGKILL)' });
  store.recordAvailability({ timeMs: NOV + 9 * DAY + 3_700_000, deployment: 'qwen-chat', status: 'up', reason: null });
  for (let day = 0; day < 20; day++) {
    for (let i = 0; i < 10 + day * 3; i++) {
      const t = NOV + day * DAY + 9 * 3_600_000 + i * 60_000;
      store.recordRequest({
        timeMs: t,
        deployment: 'qwen-chat',
        keyId: i % 3 ? 'key-sales' : 'key-support',
        route: '/v1/chat/completions',
        status: i % 17 === 5 ? 502 : 200,
        outcome: 'completed',
        promptTokens: 40,
        completionTokens: 120,
        ttftMs: 180 + ((day * 37 + i * 11) % 120),
        tpotMs: 12,
        totalMs: 1800,
      });
    }
  }
  for (let m = 0; m < 600; m++) store.recordHardware({ timeMs: NOV + m * 60_000, device: 'gpu0', utilizationPercent: 40, memoryUsedBytes: 6e9, powerWatts: 180 });
  const report = buildReport(
    store,
    '2026-11',
    { availabilityPercent: 99.5, ttftP95Ms: 400, errorRatePercent: 1, timeZone: 'Europe/Berlin', businessHours: { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' } },
    NOV + 20 * DAY,
    { pricePerKwh: 0.3, amortisationPerMonth: 150, referencePricePerMillionTokens: 2.5, cpuTdpWatts: null, currency: 'EUR' },
  );
  store.close();
  const file = join(dir, 'llama-orch-report-2026-11.html');
  writeFileSync(file, reportHtml(report));
  return file;
}

describe.skipIf(!haveChromium)('the printable HTML report in Chromium', () => {
  const data = tempDir();
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    errors = watchPageErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    data.cleanup();
  });

  async function chartSizes(): Promise<{ id: string; width: number; height: number; inked: boolean }[]> {
    return page.$$eval('.chart canvas', (canvases) =>
      (canvases as HTMLCanvasElement[]).map((c) => {
        const box = c.getBoundingClientRect();
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let inked = false;
        for (let i = 3; i < px.length && !inked; i += 4) inked = px[i]! > 0;
        return { id: c.closest('.chart')!.id, width: box.width, height: box.height, inked };
      }),
    );
  }

  it('draws both charts under the page’s CSP, on screen and in print', async () => {
    await page.goto(pathToFileURL(sampleReportHtml(data.path)).href);
    await page.waitForSelector('#chart-ttft canvas');
    const onScreen = await chartSizes();
    expect(onScreen.map((c) => c.id)).toEqual(['chart-requests', 'chart-ttft']);
    for (const c of onScreen) expect(c).toMatchObject({ width: expect.any(Number), height: expect.any(Number), inked: true });
    for (const c of onScreen) expect(c.width * c.height).toBeGreaterThan(100 * 100);
    expect(await page.textContent('body')).toMatch(/Mon, Tue, Wed, Thu, Fri 08:00–18:00 Europe\/Berlin/);
    await screenshot(page, '21-report-html');
    await page.emulateMedia({ media: 'print' });
    const inPrint = await chartSizes();
    for (const c of inPrint) expect(c.width * c.height).toBeGreaterThan(100 * 100);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync(join(SCREENSHOTS, '21-report-html.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(errors).toEqual([]);
  });
});
