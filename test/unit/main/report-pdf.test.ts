// Reports → Save as PDF at the wiring seam (no Electron binary here): the month's HTML report is
// fetched from a real core over HTTP with the admin token, printed in a window (here Chromium through
// Playwright standing in for a BrowserWindow: the data: URL is loaded, the charts draw under the
// page's own CSP, `printToPDF` makes the PDF), saved where the dialog says, and the window is always
// closed; a cancelled dialog saves nothing, a failing core or window is a `failed` result.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printHtml, saveReportPdf, type PdfWindowSeam, type ReportPdfDeps } from '../../../electron/main/report-pdf.js';
import { startTestCore, type TestCore } from '../../helpers/core.js';
import { tempDir } from '../../helpers/tmp.js';
import { launchChromium } from '../../e2e/browser.js';
import { haveChromium } from '../../e2e/ui-support.js';

describe.skipIf(!haveChromium)('saving the report as PDF', () => {
  let t: TestCore;
  let browser: Browser;
  const out = tempDir();
  const opened: { url: string | null; destroyed: boolean; canvases: number }[] = [];

  /** A BrowserWindow stand-in on a real Chromium page. */
  const openWindow = (): PdfWindowSeam => {
    const record = { url: null as string | null, destroyed: false, canvases: 0 };
    opened.push(record);
    const page = browser.newPage();
    return {
      async loadURL(url) {
        record.url = url;
        await (await page).goto(url);
        record.canvases = await (await page).locator('.chart canvas').count();
      },
      webContents: { printToPDF: async (o) => (await page).pdf({ format: o.pageSize, printBackground: o.printBackground }) },
      destroy: () => {
        record.destroyed = true;
        void page.then((p) => p.close());
      },
    };
  };

  beforeAll(async () => {
    t = await startTestCore({ enginePath: undefined }, []);
    // One request's worth of history, so the report has a day to chart.
    t.core.store.recordRequest({
      timeMs: Date.now(),
      deployment: 'm',
      keyId: null,
      route: '/v1/chat/completions',
      status: 200,
      outcome: 'completed',
      promptTokens: 3,
      completionTokens: 5,
      ttftMs: 40,
      tpotMs: 4,
      totalMs: 60,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    out.cleanup();
  });

  const deps = (over: Partial<ReportPdfDeps> = {}): ReportPdfDeps => ({
    connection: () => ({ baseUrl: t.url, adminToken: t.core.auth.adminToken }),
    fetch,
    openWindow,
    showSaveDialog: async (o) => ({ canceled: false, filePath: join(out.path, o.defaultPath.split('/').pop()!) }),
    downloadsDir: () => '/home/user/Downloads',
    ...over,
  });

  it('prints the month’s report with its charts and saves it where the dialog says', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const dialogs: string[] = [];
    const r = await saveReportPdf(month, deps({ showSaveDialog: async (o) => (dialogs.push(o.defaultPath), { canceled: false, filePath: join(out.path, 'report.pdf') }) }));
    expect(r).toEqual({ ok: true, value: join(out.path, 'report.pdf') });
    expect(dialogs).toEqual([`/home/user/Downloads/llama-orch-report-${month}.pdf`]);
    expect(readFileSync(join(out.path, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    const w = opened.at(-1)!;
    expect(w.url).toMatch(/^data:text\/html;charset=utf-8;base64,/);
    expect(Buffer.from(w.url!.split(',')[1]!, 'base64').toString()).toContain(`Operations report — ${month}`);
    expect(w.canvases).toBe(2);
    expect(w.destroyed).toBe(true);
  });

  it('saves nothing when the dialog is cancelled, and says why when the core refuses or the window fails', async () => {
    const before = opened.length;
    expect(await saveReportPdf('2026-11', deps({ showSaveDialog: async () => ({ canceled: true }) }))).toEqual({ ok: true, value: null });
    expect(opened.length).toBe(before); // no window opened for nothing
    expect(await saveReportPdf('2026-11', deps({ connection: () => ({ baseUrl: t.url, adminToken: 'wrong' }) }))).toMatchObject({
      ok: false,
      error: { code: 'failed', message: expect.stringMatching(/^the report could not be made: /) },
    });
    let destroyed = false;
    const broken: PdfWindowSeam = { loadURL: async () => {}, webContents: { printToPDF: async () => Promise.reject(new Error('printing failed')) }, destroy: () => (destroyed = true) };
    expect(await saveReportPdf('2026-11', deps({ openWindow: () => broken }))).toMatchObject({ ok: false, error: { code: 'failed', message: 'the PDF could not be written: printing failed' } });
    expect(destroyed).toBe(true);
    expect(existsSync(join(out.path, 'llama-orch-report-2026-11.pdf'))).toBe(false);
    await expect(printHtml('<p>x</p>', () => broken)).rejects.toThrow('printing failed');
  });
});
