// Engine start-up: time from "start" to "ready" through the supervisor (port, spawn, health polling,
// pidfile, log capture) vs running llama-server directly and polling /health every 5 ms until 200.
// Same engine, same model, same arguments; alternating rounds, median ratio supervisor/direct.
//   npm run bench -- engine-start [--rounds N]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { planToArgs } from '../dist/electron/core/engines/args.js';
import { factsLaunchArgs } from '../dist/electron/core/supervisor/launch-args.js';
import { Supervisor } from '../dist/electron/core/supervisor/supervisor.js';
import { freePort } from '../dist/electron/core/util/net.js';
import { alternate, fmt, table } from './lib/stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '21' } } });
const ROUNDS = Number(values.rounds);
const MODEL = join(import.meta.dirname, '..', 'test', 'fixtures', 'models', 'stories260K.gguf');
const engine = execFileSync(process.execPath, ['scripts/test-engine.mjs'], { encoding: 'utf8' }).trim();
// --no-warmup: the engine's own warm-up run stalls for up to a second at random on a busy machine,
// which is engine time, not supervision; both paths get the same arguments.
const planArgs = planToArgs({ modelPath: MODEL, alias: 'stories260K', extra: ['--no-warmup'] });
const args = [...planArgs, ...(await factsLaunchArgs(engine, planArgs))];
const dir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-start-'));
const supervisor = new Supervisor({ runDir: join(dir, 'run'), logsDir: join(dir, 'logs') });

async function direct(): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(engine, [...args, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  child.stderr.resume();
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  await new Promise<void>((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
  return ms;
}

let n = 0;
async function supervised(): Promise<number> {
  const inst = supervisor.create({ id: `bench-${n++}`, modelId: 'stories260K', modelPath: MODEL, enginePath: engine, args: planArgs });
  const t0 = performance.now();
  await inst.ensureReady();
  const ms = performance.now() - t0;
  await supervisor.remove(inst.id);
  return ms;
}

try {
  await direct(); // warm the page cache and the --help probe
  await supervised();
  const r = await alternate(ROUNDS, direct, supervised);
  process.stdout.write(`direct ms: ${r.baseline.map((v) => fmt(v, 0)).join(' ')}\nsupervisor ms: ${r.candidate.map((v) => fmt(v, 0)).join(' ')}\n`);
  process.stdout.write(`\nengine start → ready, ${ROUNDS} alternating rounds (stories260K, ${engine})\n\n`);
  process.stdout.write(
    table(
      ['path', 'median ms', 'ratio supervisor/direct (median)', 'ratio p25–p75'],
      [
        ['llama-server directly, /health polled every 5 ms', fmt(r.baselineMedian, 1), '', ''],
        ['supervisor ensureReady()', fmt(r.candidateMedian, 1), fmt(r.ratio), `${fmt(r.ratioP25)}–${fmt(r.ratioP75)}`],
      ],
    ) + '\n',
  );
} finally {
  await supervisor.stopAll();
  rmSync(dir, { recursive: true, force: true });
}
