// Reports page actions: load a month's report, download or print it.
import { api } from '../../lib/api.js';
import { useReports } from './store.js';

export async function monthOpened(month: string): Promise<void> {
  const s = useReports.getState();
  s.monthChosen(month);
  try {
    s.reportLoaded(await api.report(month));
  } catch (err) {
    s.reportFailed((err as Error).message);
  }
}

/** Save the CSV, or open the printable HTML page (the browser's print dialog makes the PDF). */
export async function exportRequested(format: 'csv' | 'html'): Promise<void> {
  const { month, reportFailed } = useReports.getState();
  try {
    const url = URL.createObjectURL(await api.reportFile(month, format));
    const a = document.createElement('a');
    a.href = url;
    if (format === 'csv') a.download = `llama-orch-report-${month}.csv`;
    else a.target = '_blank';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    reportFailed((err as Error).message);
  }
}

/** Desktop app only: the month's report printed to a PDF file the user picks. */
export async function pdfRequested(): Promise<void> {
  const { month, reportFailed } = useReports.getState();
  const r = await api.saveReportPdf(month);
  if (r && !r.ok) reportFailed(r.error.message);
}
