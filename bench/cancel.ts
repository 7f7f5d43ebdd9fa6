// Cancellation: how long after a client abandons its streams the engine's slots are free again.
// n long streams are started (through the gateway, or straight to llama-server as the baseline — the
// SAME engine process), each is read until it has streamed a few tokens, then every client socket is
// destroyed at once, and the engine's /slots is polled until no slot is processing. Rounds alternate
// gateway/direct; reported per level: p50/p99/max of abort → idle for both paths, and the median of
// the per-round differences (what the gateway adds).
//   npm run bench -- cancel [--rounds N] [--levels 1,4,32] [--threads N] [--stall]
// --stall: clients stop reading after those events (a hung client or an abandoned tab), so the
// engine's socket is full when the abort comes.
import { execFileSync, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { request as httpRequest, Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fmt, median, quantile, table } from './lib/stats.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '20' }, levels: { type: 'string', default: '1,4,32' }, threads: { type: 'string', default: '1' }, stall: { type: 'boolean', default: false } },
});
const ROUNDS = Number(values.rounds);
const LEVELS = values.levels!.split(',').map(Number);
const SLOTS = Math.max(...LEVELS);
const MODEL = join(import.meta.dirname, '..', 'test', 'fixtures', 'models', 'stories260K.gguf');
const engine = execFileSync(process.execPath, ['scripts/test-engine.mjs'], { encoding: 'utf8' }).trim();

interface Target {
  name: string;
  host: string;
  port: number;
  key: string | null;
}

/** Opens a stream and resolves with its socket once `events` SSE events have arrived. */
function openStream(t: Target, i: number, events: number): Promise<Socket> {
  const body = JSON.stringify({ model: 'bench', stream: true, max_tokens: 4000, ignore_eos: true, messages: [{ role: 'user', content: `Story ${i}: once upon a time` }] });
  return new Promise((resolve, reject) => {
    const s = connect({ host: t.host, port: t.port, noDelay: true });
    let seen = 0;
    let head = '';
    s.on('error', reject);
    s.on('connect', () => {
      s.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: ${t.host}:${t.port}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${t.key ? `authorization: Bearer ${t.key}\r\n` : ''}\r\n${body}`,
      );
    });
    s.on('data', (chunk: Buffer) => {
      if (seen >= events) return;
      const text = chunk.toString('latin1');
      if (!head) {
        head = text;
        if (!/^HTTP\/1\.1 200/.test(text)) return reject(new Error(`${t.name} answered ${text.split('\r\n')[0]}`));
      }
      seen += text.split('data: ').length - 1;
      if (seen >= events) {
        if (values.stall) s.pause(); // the client stops reading: backpressure reaches the engine
        resolve(s);
      }
    });
  });
}

const slotAgent = new Agent({ keepAlive: true, maxSockets: 1 });
function slotsBusy(t: Target): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: t.host, port: t.port, path: '/slots', agent: slotAgent, headers: { authorization: `Bearer ${t.key}` } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (data += d));
      res.on('end', () => resolve((JSON.parse(data) as { is_processing: boolean }[]).filter((s) => s.is_processing).length));
    });
    req.on('error', reject);
    req.end();
  });
}

async function untilIdle(engineT: Target, deadlineMs: number): Promise<void> {
  const t0 = performance.now();
  while ((await slotsBusy(engineT)) > 0) {
    if (performance.now() - t0 > deadlineMs) throw new Error(`slots still busy ${deadlineMs} ms after the abort`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** One round: n streams, all aborted together; ms from the abort to every slot idle. */
async function round(t: Target, engineT: Target, n: number, base: number): Promise<number> {
  await untilIdle(engineT, 10_000);
  const sockets = await Promise.all(Array.from({ length: n }, (_, i) => openStream(t, base + i, 4)));
  const busy = await slotsBusy(engineT);
  if (busy < n) throw new Error(`${t.name}: only ${busy} of ${n} slots busy before the abort`);
  const t0 = performance.now();
  for (const s of sockets) s.destroy();
  await untilIdle(engineT, 10_000);
  return performance.now() - t0;
}

const child = spawn(process.execPath, ['--experimental-strip-types', '--no-warnings', join(import.meta.dirname, 'lib', 'gateway-child.ts'), engine, MODEL, String(SLOTS), '512', values.threads!], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = createInterface({ input: child.stdout! });
const info = await new Promise<{ gatewayUrl: string; directUrl: string; key: string; argv: string[] }>((resolve, reject) => {
  lines.once('line', (l) => resolve(JSON.parse(l)));
  child.once('exit', (code) => reject(new Error(`core exited with ${code}`)));
});
const at = (url: string) => new URL(url);
const direct: Target = { name: 'direct', host: at(info.directUrl).hostname, port: Number(at(info.directUrl).port), key: info.key };
const gateway: Target = { name: 'gateway', host: at(info.gatewayUrl).hostname, port: Number(at(info.gatewayUrl).port), key: null };
console.log(`engine ${engine}\n  ${info.argv.join(' ')}\nmodel stories260K, ${ROUNDS} rounds per level, streams aborted after 4 events, /slots polled every 2 ms\n`);

const rows: (string | number)[][] = [];
try {
  let base = 0;
  for (const n of LEVELS) {
    const d: number[] = [];
    const g: number[] = [];
    await round(direct, direct, n, base); // warm-up
    await round(gateway, direct, n, base);
    for (let r = 0; r < ROUNDS; r++) {
      base += n;
      if (r % 2 === 0) {
        d.push(await round(direct, direct, n, base));
        g.push(await round(gateway, direct, n, base));
      } else {
        g.push(await round(gateway, direct, n, base));
        d.push(await round(direct, direct, n, base));
      }
    }
    const diffs = g.map((v, i) => v - d[i]!);
    rows.push([
      n,
      fmt(median(d)),
      fmt(quantile(d, 0.99)),
      fmt(Math.max(...d)),
      fmt(median(g)),
      fmt(quantile(g, 0.99)),
      fmt(Math.max(...g)),
      fmt(median(diffs)),
      `${fmt(quantile(diffs, 0.25))} … ${fmt(quantile(diffs, 0.75))}`,
    ]);
    console.log(`level ${n} done: direct ${d.map((v) => fmt(v)).join(' ')}\n              gateway ${g.map((v) => fmt(v)).join(' ')}`);
  }
} finally {
  slotAgent.destroy();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
console.log('\n' + table(['streams aborted', 'direct p50 ms', 'direct p99', 'direct max', 'gateway p50 ms', 'gateway p99', 'gateway max', 'added (median of rounds)', 'added IQR'], rows));
