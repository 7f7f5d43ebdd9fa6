// Hardware detection cost: (1) cold detection — `llama-orch hardware --json` in a fresh process vs a
// bare `node -e ''` start (the floor any CLI pays), and warm in-process detectHardware(); (2) live
// polling — one poll through the nvidia-smi CSV fast path, against a fake nvidia-smi on PATH replaying
// the H100 capture's load-phase values for an 8-GPU box, vs the same runTool() spawning `true`
// (the floor for any poll that runs a tool). Per poll: wall time and CPU time (ours + the child's).
//   npm run bench -- hardware [--rounds N] [--polls N]
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectHardware } from '../dist/electron/core/hardware/detect.js';
import { pollNvidia } from '../dist/electron/core/hardware/monitor.js';
import { NVIDIA_LIVE_FIELDS, parseNvidiaSmiCsvRows, parseNvidiaSmiLive } from '../dist/electron/core/hardware/nvidia.js';
import { runTool } from '../dist/electron/core/hardware/run-tool.js';
import { alternate, fmt, median, table } from './lib/stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, polls: { type: 'string', default: '20' } } });
const ROUNDS = Number(values.rounds);
const POLLS = Number(values.polls);
const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'llama-orch.js');
const CAPTURE = join(ROOT, 'test', 'fixtures', 'hardware', 'nvidia-smi-captures', 'nvidia_gpu_exporter__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt');

/** Children's CPU time so far (Linux /proc/self/stat cutime+cstime, waited-for children), in ms. */
function childCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // fields 16,17 of stat; USER_HZ = 100
  } catch {
    return NaN;
  }
}

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The load-phase query row of the capture, as `--query-gpu=<live fields> --format=csv,noheader,nounits` prints it, ×8 GPUs. */
function liveCsvFromCapture(): string {
  const text = readFileSync(CAPTURE, 'utf8');
  const start = text.indexOf('# load :: query-gpu (csv');
  const body = text.slice(start).split('\n').slice(3);
  const end = body.findIndex((l) => /^#{20,}$/.test(l));
  const [row] = parseNvidiaSmiCsvRows(body.slice(0, end).join('\n'));
  const cells = NVIDIA_LIVE_FIELDS.map((f) => String(row![f] ?? '').replace(/ (MiB|%)$/, ''));
  return Array.from({ length: 8 }, (_, i) => [String(i), ...cells.slice(1)].join(', ')).join('\n') + '\n';
}

const dir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-hw-'));
try {
  // --- cold detection -------------------------------------------------------------------------
  execFileSync(process.execPath, [CLI, 'hardware', '--json']); // warm the disk cache once
  const spawnMs = (args: string[]) => async () => {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    return performance.now() - t0;
  };
  const cold = await alternate(ROUNDS, spawnMs(['-e', '']), spawnMs([CLI, 'hardware', '--json']));
  const warm: number[] = [];
  let gpus = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    gpus = (await detectHardware()).gpus.length;
    warm.push(performance.now() - t0);
  }

  // --- polling cost -----------------------------------------------------------------------------
  const csv = liveCsvFromCapture();
  writeFileSync(join(dir, 'live.csv'), csv);
  writeFileSync(join(dir, 'nvidia-smi'), `#!/bin/sh\nexec /bin/cat ${join(dir, 'live.csv')}\n`);
  chmodSync(join(dir, 'nvidia-smi'), 0o755);
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` };
  const check = await pollNvidia({ env });
  if (check.gpus.length !== 8 || check.warnings.length > 0) throw new Error(`fake nvidia-smi poll failed: ${JSON.stringify(check.warnings)}`);

  interface Cost {
    wall: number;
    own: number;
    child: number;
  }
  const measure = async (fn: () => Promise<unknown>): Promise<Cost> => {
    const w0 = performance.now();
    const o0 = ownCpuMs();
    const c0 = childCpuMs();
    for (let i = 0; i < POLLS; i++) await fn();
    return { wall: (performance.now() - w0) / POLLS, own: (ownCpuMs() - o0) / POLLS, child: (childCpuMs() - c0) / POLLS };
  };
  const baseCosts: Cost[] = [];
  const pollCosts: Cost[] = [];
  const wallRatio = await alternate(
    ROUNDS,
    async () => {
      const c = await measure(() => runTool('true', [], { env }));
      baseCosts.push(c);
      return c.wall;
    },
    async () => {
      const c = await measure(() => pollNvidia({ env }));
      pollCosts.push(c);
      return c.wall;
    },
  );
  const parseRuns = 2000;
  const p0 = performance.now();
  for (let i = 0; i < parseRuns; i++) parseNvidiaSmiLive(csv);
  const parseUs = ((performance.now() - p0) / parseRuns) * 1000;

  const med = (xs: Cost[], k: keyof Cost) => median(xs.map((x) => x[k]));
  console.log(`\nhardware detection on this machine (${gpus} GPU(s) detected), ${ROUNDS} alternating rounds\n`);
  console.log(
    table(
      ['measure', 'baseline', 'candidate', 'median ratio (IQR)'],
      [
        ['cold CLI `hardware --json` vs `node -e ""` (ms)', fmt(cold.baselineMedian, 0), fmt(cold.candidateMedian, 0), `${fmt(cold.ratio)} (${fmt(cold.ratioP25)}–${fmt(cold.ratioP75)})`],
        ['warm in-process detectHardware() (ms)', '-', fmt(median(warm), 0), '-'],
      ],
    ),
  );
  console.log(`\nlive poll, nvidia-smi CSV fast path (fake tool, 8 GPUs) vs runTool('true'), ${POLLS} polls per round\n`);
  console.log(
    table(
      ['per poll', 'spawn `true`', 'poll (spawn + parse)', 'median ratio (IQR)'],
      [
        ['wall time (ms)', fmt(med(baseCosts, 'wall')), fmt(med(pollCosts, 'wall')), `${fmt(wallRatio.ratio)} (${fmt(wallRatio.ratioP25)}–${fmt(wallRatio.ratioP75)})`],
        ['CPU time, this process (ms)', fmt(med(baseCosts, 'own')), fmt(med(pollCosts, 'own')), '-'],
        ['CPU time, child processes (ms, 10 ms ticks)', fmt(med(baseCosts, 'child')), fmt(med(pollCosts, 'child')), '-'],
        ['parse only, 8 rows (µs)', '-', fmt(parseUs), '-'],
        ['share of one core at one poll / 2 s', '-', `${fmt(((med(pollCosts, 'own') + med(pollCosts, 'child')) / 2000) * 100, 3)} %`, '-'],
      ],
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
