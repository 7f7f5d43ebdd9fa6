// The charts of the printable report: requests and errors per day, and the daily TTFT p95 against
// its target, drawn in the page by uPlot (the Reports screen's chart library, MIT, ~50 kB) from the
// report's own figures. The library and the few lines that call it are inlined (the page works
// offline, as a file handed to a customer) and allowed by their sha256 in the page's CSP; the
// figures travel as JSON in a data block, never as script text. Canvas prints as drawn, at a fixed
// width that fits an A4 page.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { OpsReport } from '../../contract/index.js';

const WIDTH = 680;
const HEIGHT = 200;

let library: { js: string; css: string } | null | undefined;

/** uPlot's browser build and stylesheet from the installed package; null when missing (no charts, said on the page). */
function uplot(): { js: string; css: string } | null {
  if (library !== undefined) return library;
  try {
    const require = createRequire(import.meta.url);
    library = { js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'), css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8') };
  } catch {
    library = null;
  }
  return library;
}

// Runs in the page: reads the figures and draws both charts. No values are spliced into this text.
const DRAW = `(() => {
  const d = JSON.parse(document.getElementById('report-figures').textContent);
  const x = d.daily.map((v) => Date.parse(v.day + 'T00:00:00Z') / 1000);
  const opts = (title, series) => ({ title, width: ${WIDTH}, height: ${HEIGHT}, series: [{}, ...series], legend: { live: false }, scales: { x: { time: true, range: () => d.range } }, axes: [{}, {}] });
  new uPlot(opts('Requests and errors per day', [{ label: 'Requests', stroke: '#3b82f6', width: 2 }, { label: 'Errors', stroke: '#dc2626', width: 2 }]),
    [x, d.daily.map((v) => v.requests), d.daily.map((v) => v.errors)], document.getElementById('chart-requests'));
  new uPlot(opts('Time to first token p95 per day (ms)', [{ label: 'TTFT p95', stroke: '#7c3aed', width: 2, spanGaps: true }, { label: 'Target', stroke: '#6b7280', dash: [6, 4], width: 1 }]),
    [x, d.daily.map((v) => v.ttftP95Ms), d.daily.map(() => d.ttftTarget)], document.getElementById('chart-ttft'));
})();`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** JSON safe inside a <script> block (no `</script>`, no HTML comment openers). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export interface ReportCharts {
  /** Appended to the CSP (`; script-src 'sha256-…'`), empty without charts. */
  scriptSrc: string;
  css: string;
  body: string;
}

export function reportCharts(r: OpsReport): ReportCharts {
  const lib = uplot();
  if (!lib) return { scriptSrc: '', css: '', body: '<p class="note">Charts are not available in this installation (the uPlot package is missing).</p>' };
  if (r.daily.length === 0) return { scriptSrc: '', css: '', body: '<p class="note">No requests this month: nothing to chart.</p>' };
  const range = [Date.parse(r.from) / 1000, Date.parse(r.to) / 1000];
  const figures = scriptJson({ daily: r.daily, range, ttftTarget: r.slo.ttftP95Ms });
  return {
    scriptSrc: `; script-src ${sha256(lib.js)} ${sha256(DRAW)}`,
    css: `${lib.css}\n.chart{width:${WIDTH}px;margin:.5rem 0}`,
    body: `<h2>Per day</h2>
<div class="chart" id="chart-requests" data-testid="chart-requests"></div>
<div class="chart" id="chart-ttft" data-testid="chart-ttft"></div>
<script type="application/json" id="report-figures">${figures}</script>
<script>${lib.js}</script>
<script>${DRAW}</script>`,
  };
}
