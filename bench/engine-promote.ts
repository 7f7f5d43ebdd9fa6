// Engine promote: the request gap while a deployment moves to a new default engine (rolling restart).
// Two copies of the test engine are imported into a fresh data dir (A, the default, and B); a real
// `llama-orch serve` runs deployment `story` on A. Each round: `engines check` B (the sample report is
// printed once), then requests are sent one after the other while `engines promote` switches A↔B;
// reported: promote wall time, the longest gap between two answers, failed requests.
//   npm run bench -- engine-promote [--rounds N]
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fmt, median, table } from './lib/stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' } } });
const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'llama-orch.js');
const MODEL = join(ROOT, 'test', 'fixtures', 'models', 'stories260K.gguf');
const engine = execFileSync(process.execPath, ['scripts/test-engine.mjs'], { encoding: 'utf8' }).trim();
const work = mkdtempSync(join(tmpdir(), 'bench-promote-'));
const data = join(work, 'data');

function cli(...args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args, '--data-dir', data], { encoding: 'utf8' });
}

/** The CLI without blocking this process's event loop (the request loop runs meanwhile). */
const cliAsync = promisify(execFile);

for (const name of ['llama-a', 'llama-b']) {
  mkdirSync(join(work, name));
  copyFileSync(engine, join(work, name, 'llama-server'));
  chmodSync(join(work, name, 'llama-server'), 0o755);
  execFileSync('tar', ['-czf', join(work, `${name}.tar.gz`), '-C', work, name]);
  cli('engines', 'import', join(work, `${name}.tar.gz`));
}

const serve = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', data], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve) =>
  createInterface({ input: serve.stdout! }).on('line', (l) => {
    const m = /serving on (http:\/\/\S+)/.exec(l);
    if (m) resolve(m[1]!);
  }),
);
const { adminToken } = JSON.parse(readFileSync(join(data, 'run', 'core.json'), 'utf8')) as { adminToken: string };
const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
await fetch(`${url}/api/v1/deployments`, { method: 'POST', headers, body: JSON.stringify({ model: MODEL, name: 'story', overrides: { devices: ['cpu'], parallel: 2, contextSize: 1024 } }) });
await fetch(`${url}/api/v1/deployments/story/load?wait=1`, { method: 'POST', headers });

/** Requests one after the other until `until` settles: the longest time between two answers. */
async function requestLoop(until: Promise<unknown>): Promise<{ longest: number; n: number; failed: number; wall: number }> {
  let running = true;
  const t0 = performance.now();
  const done = until.then(() => (running = false));
  let failed = 0;
  let n = 0;
  let longest = 0;
  let last = t0;
  while (running) {
    try {
      const r = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'story', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }),
      });
      const text = await r.text();
      if (r.status !== 200) {
        failed++;
        process.stderr.write(`HTTP ${r.status}: ${text.slice(0, 300)}\n`);
      }
    } catch (err) {
      failed++;
      process.stderr.write(`request failed at ${Math.round(performance.now() - t0)} ms: ${(err as Error).message} ${String((err as { cause?: unknown }).cause)}\n`);
    }
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    n++;
  }
  await done;
  return { longest, n, failed, wall: performance.now() - t0 };
}

const rows: (string | number)[][] = [];
const gaps: number[] = [];
const walls: number[] = [];
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    const to = round % 2 === 0 ? 'llama-b' : 'llama-a';
    const report = cli('engines', 'check', to, '--all');
    if (round === 0) process.stdout.write(`sample check report:\n${report}\n`);
    // Baseline: the same request loop for as long, without a switch (the machine's own noise).
    const base = await requestLoop(new Promise((r) => setTimeout(r, 1500)));
    const during = await requestLoop(cliAsync(process.execPath, [CLI, 'engines', 'promote', to, '--data-dir', data]));
    const { longest, n, failed, wall } = during;
    gaps.push(longest);
    walls.push(wall);
    rows.push([round + 1, to, fmt(wall, 0), fmt(longest, 0), fmt(base.longest, 0), n, failed]);
  }
  process.stdout.write(table(['round', 'to', 'promote ms', 'longest gap ms', 'baseline gap ms', 'requests', 'failed'], rows) + '\n');
  process.stdout.write(`median promote ${fmt(median(walls), 0)} ms; median longest gap ${fmt(median(gaps), 0)} ms, max ${fmt(Math.max(...gaps), 0)} ms\n`);
} finally {
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));
  rmSync(work, { recursive: true, force: true });
}
