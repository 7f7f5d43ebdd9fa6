// UI rendering in a real Chromium (Playwright), isolated from the engine: a local server serves the
// built UI plus a synthetic API (a chat SSE stream at a fixed token rate, a log tail of N lines).
//  1. Chat at ≥ 1,000 tokens/s: frame times measured in the page (requestAnimationFrame deltas, long
//     frames > 50 ms), per-animation-frame batching (candidate) vs a naive setState per token
//     (baseline), alternating rounds.
//  2. Log view: filter latency (typing a filter → the filtered list painted) with 100,000 lines
//     (candidate) vs 10,000 lines (baseline), alternating.
//   npm run bench -- ui [--rounds N] [--rates 1000,5000] [--seconds S] [--lines N]
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright';
import { defaultRendererDir, serveStatic } from '../dist/electron/core/http/static.js';
import { alternate, fmt, median, quantile, table } from './lib/stats.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '6' }, rates: { type: 'string', default: '1000,5000' }, seconds: { type: 'string', default: '4' }, lines: { type: 'string', default: '100000' } },
});
const ROUNDS = Number(values.rounds);
const RATES = values.rates.split(',').map(Number);
const SECONDS = Number(values.seconds);
/** The stream being served: set per scenario. */
let RATE = 1000;
let TOKENS = 4000;
const LINES = Number(values.lines);
const BASE_LINES = Math.round(LINES / 10);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LONG_FRAME_MS = 50;

// ---- the synthetic core ----

const INSTANCE = (id: string) => ({
  id,
  modelId: id,
  modelPath: `/models/${id}.gguf`,
  enginePath: '/engine',
  state: 'ready',
  reason: null,
  pid: 1,
  port: 1,
  restarts: 0,
  startedAt: null,
  readyAt: null,
  argv: [],
});
const WORDS = [
  'Once ',
  'upon ',
  'a ',
  'time ',
  'there ',
  'was ',
  'a ',
  '**little** ',
  'robot ',
  'named ',
  '`Bolt` ',
  'who ',
  'loved ',
  '*stories*',
  '.',
  '\n\n',
  '- one ',
  'item',
  '\n',
  '```js\n',
  'const x = 1;',
  '\n```\n',
  'The ',
  'end',
  '.\n\n',
];
const LOG_TEXTS = [
  'srv  update_slots: all slots are idle',
  'slot launch_slot_: id  0 | task 17 | processing task',
  'slot print_timing: id  0 | task 17 | eval time = 9.82 ms / 16 tokens',
  'load_tensors: CPU_Mapped model buffer size = 1.12 MiB',
  'main: server is listening on http://127.0.0.1:41234',
  'srv  log_server_r: request: POST /v1/chat/completions 127.0.0.1 200',
];
const LEVELS = ['info', 'info', 'info', 'debug', 'warn', 'error'] as const;

function logLine(seq: number) {
  return { seq, time: new Date(1_700_000_000_000 + seq * 7).toISOString(), stream: 'stderr', level: LEVELS[seq % 6], text: `${LOG_TEXTS[seq % LOG_TEXTS.length]} #${seq}` };
}

function sse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
}

/** The chat stream: tokens sent on a 5 ms clock so the average rate is exactly RATE. */
function chatStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'bench' });
  const start = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.min(TOKENS, Math.floor(((performance.now() - start) / 1000) * RATE));
    let chunk = '';
    for (; sent < due; sent++) chunk += `data: ${JSON.stringify({ choices: [{ delta: { content: WORDS[sent % WORDS.length] } }] })}\n\n`;
    if (chunk) res.write(chunk);
    if (sent >= TOKENS) {
      clearInterval(timer);
      res.end(`data: ${JSON.stringify({ choices: [], usage: { completion_tokens: TOKENS } })}\n\ndata: [DONE]\n\n`);
    }
  }, 5);
  res.on('close', () => clearInterval(timer));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const json = (body: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const p = url.pathname;
  if (p === '/api/v1/status') return json({ version: 'bench', dataDir: '/tmp', apiBaseUrl: 'http://x/v1', instances: [INSTANCE('chat')] });
  if (p === '/api/v1/instances') return json({ data: [INSTANCE('chat'), INSTANCE('logs-10k'), INSTANCE('logs-100k')] });
  if (p === '/api/v1/events') return sse(res);
  if (p === '/api/v1/settings') return json({ ui: { theme: 'light', saveConversations: false } });
  if (p === '/v1/models') return json({ object: 'list', data: [{ id: 'chat', object: 'model', created: 0, owned_by: 'bench', state: 'loaded' }] });
  if (p === '/v1/chat/completions') return chatStream(res);
  const logs = /^\/api\/v1\/instances\/logs-(10k|100k)\/logs$/.exec(p);
  if (logs) {
    sse(res);
    const n = logs[1] === '100k' ? LINES : BASE_LINES;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(`event: log\ndata: ${JSON.stringify(logLine(i))}\n\n`);
    res.write(parts.join(''));
    return;
  }
  if (p.startsWith('/api/') || p.startsWith('/v1/')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'not in the bench', type: 'not_found_error', code: 'route_not_found', param: null } }));
    return;
  }
  serveStatic(res, defaultRendererDir(), p);
}

// ---- measurements in the page ----

interface ChatRun {
  p99: number;
  max: number;
  longFrames: number;
  frames: number;
  seconds: number;
  renderedChars: number;
}

async function chatRun(page: Page, mode: 'frame' | 'token'): Promise<ChatRun> {
  await page.evaluate((m) => localStorage.setItem('llama-orch.chatFlush', m), mode);
  await page.reload();
  await page.getByTestId('chat-input').waitFor();
  await page.getByTestId('chat-max-tokens').fill(String(TOKENS));
  await page.getByTestId('chat-input').fill('Tell me a story');
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__frames = [];
    w.__stop = false;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  await page.getByTestId('chat-send').click();
  await page.waitForSelector('[data-testid="msg-assistant"][data-status="done"]', { timeout: 120_000 });
  const seconds = (Date.now() - t0) / 1000;
  const { frames, chars } = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __stop: boolean };
    w.__stop = true;
    return { frames: w.__frames.slice(1), chars: document.querySelector('[data-testid="msg-assistant"] .md')?.textContent?.length ?? 0 };
  });
  return { p99: quantile(frames, 0.99), max: Math.max(...frames), longFrames: frames.filter((f) => f > LONG_FRAME_MS).length, frames: frames.length, seconds, renderedChars: chars };
}

/** Type a filter and time until the filtered list has been painted (the count changed, then a frame). */
async function filterLatency(page: Page, text: string): Promise<number> {
  return page.evaluate(async (value) => {
    const input = document.querySelector<HTMLInputElement>('[data-testid="log-filter"]')!;
    const count = document.querySelector('[data-testid="log-count"]')!;
    const before = count.textContent;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const t0 = performance.now();
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    while (count.textContent === before && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // painted
    return performance.now() - t0;
  }, text);
}

async function openLogs(browser: Browser, base: string, id: string, n: number): Promise<{ page: Page; loadMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const t0 = Date.now();
  await page.goto(`${base}/#/logs?instance=${id}`);
  await page.waitForFunction((want) => document.querySelector('[data-testid="log-count"]')?.textContent?.startsWith(`${want.toLocaleString('en')} of`), n, { timeout: 120_000 });
  return { page, loadMs: Date.now() - t0 };
}

const FILTERS = ['slot', 'task 17', 'error', 'listening', 'MiB', 'zzz-no-match'];

async function main(): Promise<void> {
  const server: Server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/#/chat`);
    await page.getByTestId('chat-input').waitFor();
    for (const rate of RATES) {
      RATE = rate;
      TOKENS = rate * SECONDS;
      const runs: Record<'frame' | 'token', ChatRun[]> = { frame: [], token: [] };
      const chat = await alternate(
        ROUNDS,
        async () => (runs.token.push(await chatRun(page, 'token')), runs.token.at(-1)!.p99),
        async () => (runs.frame.push(await chatRun(page, 'frame')), runs.frame.at(-1)!.p99),
      );
      const row = (name: string, r: ChatRun[]) => [
        name,
        fmt(median(r.map((x) => x.p99)), 1),
        fmt(median(r.map((x) => x.max)), 1),
        fmt(median(r.map((x) => x.longFrames)), 0),
        fmt(median(r.map((x) => x.frames / x.seconds)), 0),
        fmt(median(r.map((x) => x.seconds)), 2),
      ];
      console.log(`\nChat rendering: ${TOKENS} tokens streamed at ${RATE} tokens/s, ${ROUNDS} rounds (medians over rounds)\n`);
      console.log(
        table(
          ['state updates', 'p99 frame ms', 'max frame ms', `frames > ${LONG_FRAME_MS} ms`, 'frames/s', 'send → done s'],
          [row('per token (baseline)', runs.token), row('per frame (candidate)', runs.frame)],
        ),
      );
      console.log(`\np99 frame time ratio per-frame / per-token: ${fmt(chat.ratio)} (IQR ${fmt(chat.ratioP25)}–${fmt(chat.ratioP75)})`);
    }

    const small = await openLogs(browser, base, 'logs-10k', BASE_LINES);
    const big = await openLogs(browser, base, 'logs-100k', LINES);
    const lat: Record<'small' | 'big', number[]> = { small: [], big: [] };
    const next = { small: 0, big: 0 };
    const logs = await alternate(
      ROUNDS * 3,
      async () => (lat.small.push(await filterLatency(small.page, FILTERS[next.small++ % FILTERS.length]!)), lat.small.at(-1)!),
      async () => (lat.big.push(await filterLatency(big.page, FILTERS[next.big++ % FILTERS.length]!)), lat.big.at(-1)!),
    );
    console.log(`\nLog view filter latency (typing a filter → filtered list painted), ${ROUNDS * 3} rounds\n`);
    console.log(
      table(
        ['lines', 'initial load ms', 'filter p50 ms', 'filter p90 ms', 'filter max ms'],
        [
          [BASE_LINES.toLocaleString('en'), small.loadMs, fmt(median(lat.small), 1), fmt(quantile(lat.small, 0.9), 1), fmt(Math.max(...lat.small), 1)],
          [LINES.toLocaleString('en'), big.loadMs, fmt(median(lat.big), 1), fmt(quantile(lat.big, 0.9), 1), fmt(Math.max(...lat.big), 1)],
        ],
      ),
    );
    console.log(`\nfilter latency ratio ${LINES}/${BASE_LINES} lines: ${fmt(logs.ratio)} (IQR ${fmt(logs.ratioP25)}–${fmt(logs.ratioP75)})`);
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
  }
}

await main();
