// Reports → "Save as PDF" in the desktop app: the core's printable HTML report for a month, rendered
// in a hidden window of its own (sandboxed, an in-memory session without the app's CSP header, so
// the page's own CSP — nothing but its hashed chart scripts — governs it) and printed with
// Electron's `webContents.printToPDF` to A4, then saved where the user chooses. Electron pieces
// come in through the seams below; nothing here imports `electron`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoreConnection, DesktopResult } from '../contract/index.js';
import { ROUTES } from '../contract/index.js';

export interface PdfWindowSeam {
  loadURL(url: string): Promise<void>;
  webContents: { printToPDF(options: { pageSize: 'A4'; printBackground: boolean }): Promise<Uint8Array> };
  destroy(): void;
}

/** What a PDF window is opened with (the root passes it to `new BrowserWindow`). */
export const PDF_WINDOW_OPTIONS = {
  show: false,
  width: 900,
  height: 1200,
  webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, partition: 'report-pdf', javascript: true },
} as const;

export interface SaveDialogOptions {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
}

export interface ReportPdfDeps {
  connection(): CoreConnection;
  fetch: typeof fetch;
  openWindow(): PdfWindowSeam;
  showSaveDialog(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
  /** Where the save dialog starts (the user's Downloads folder). */
  downloadsDir(): string;
  writeFile?: (path: string, data: Uint8Array) => Promise<void>;
}

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Prints HTML to PDF in a fresh hidden window, which is always destroyed afterwards. */
export async function printHtml(html: string, openWindow: () => PdfWindowSeam): Promise<Uint8Array> {
  const win = openWindow();
  try {
    await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`);
    return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true });
  } finally {
    win.destroy();
  }
}

/** The month's report as a PDF file the user picks; `null` when the dialog was cancelled. */
export async function saveReportPdf(month: string, deps: ReportPdfDeps): Promise<DesktopResult<string | null>> {
  const { baseUrl, adminToken } = deps.connection();
  let html: string;
  try {
    const res = await deps.fetch(`${baseUrl}${ROUTES.reports}?month=${month}&format=html`, { headers: { authorization: `Bearer ${adminToken}` } });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      return { ok: false, error: { code: 'failed', message: `the report could not be made: ${body?.error?.message ?? `HTTP ${res.status}`}` } };
    }
    html = await res.text();
  } catch (err) {
    return { ok: false, error: { code: 'failed', message: `the core did not answer: ${(err as Error).message}` } };
  }
  const choice = await deps.showSaveDialog({
    title: 'Save the operations report',
    defaultPath: join(deps.downloadsDir(), `llama-orch-report-${month}.pdf`),
    filters: [{ name: 'PDF', extensions: ['pdf'] }],
  });
  if (choice.canceled || !choice.filePath) return { ok: true, value: null };
  try {
    const pdf = await printHtml(html, deps.openWindow);
    await (deps.writeFile ?? writeFile)(choice.filePath, pdf);
    return { ok: true, value: choice.filePath };
  } catch (err) {
    return { ok: false, error: { code: 'failed', message: `the PDF could not be written: ${(err as Error).message}` } };
  }
}
