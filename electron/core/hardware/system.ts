// CPU and RAM of this machine (Linux: /proc; elsewhere, or when /proc cannot be read: systeminformation;
// then node:os), and the generic GPU list of systeminformation as a last resort when no vendor tool
// answered (Linux reads sysfs instead: linux-pci.ts).
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CpuInfo, GpuVendor, MemoryInfo } from '../../contract/index.js';
import { readLinuxCpu, readLinuxMemory, type LinuxRoots } from './linux-proc.js';
import { emptyGpu, failedOutcome, type GpuFacts, type SourceOutcome } from './types.js';
import { MIB, pciBusId } from './units.js';

/**
 * Instruction-set flags from a flags string (/proc/cpuinfo style); null when the source cannot say.
 * Only Linux lists every flag. On Windows systeminformation reads just the CPUID leaf-1 EDX bits
 * (no AVX bit among them), and on macOS `machdep.cpu.features` (leaf 1: `AVX1.0`, but AVX2 and
 * AVX-512 live in the leaf-7 list it does not read): an absent flag there is unknown, not false.
 */
export function cpuFlagsFrom(flags: string, arch: string, platform: NodeJS.Platform = process.platform): Pick<CpuInfo, 'avx' | 'avx2' | 'avx512' | 'neon'> {
  const set = new Set(flags.toLowerCase().split(/\s+/).filter(Boolean));
  const arm = arch === 'arm64' || arch === 'arm';
  // ARMv8-A (arm64) mandates Advanced SIMD, so NEON is a fact of the architecture there.
  const neon = arch === 'arm64' ? true : arm ? (set.size ? set.has('neon') || set.has('asimd') : null) : false;
  if (arm) return { avx: false, avx2: false, avx512: false, neon };
  if (set.size === 0) return { avx: null, avx2: null, avx512: null, neon };
  const listed = (has: boolean, complete: boolean) => (has ? true : complete ? false : null);
  const linux = platform !== 'win32' && platform !== 'darwin';
  return {
    avx: listed(set.has('avx') || set.has('avx1.0'), linux || platform === 'darwin'),
    avx2: listed(set.has('avx2'), linux),
    avx512: listed(set.has('avx512f'), linux),
    neon,
  };
}

type CpuResult = { cpu: CpuInfo; source: 'systeminformation' | 'os'; warning: string | null };
type MemoryResult = { memory: MemoryInfo; source: 'systeminformation' | 'os'; warning: string | null };

// Loaded on first use: where /proc answers (every Linux machine) the library is never needed, and
// importing it is a noticeable part of a cold `llama-orch hardware`.
const systemInformation = async () => (await import('systeminformation')).default;

/** On Linux /proc answers without starting a process; systeminformation is the fallback (and the source elsewhere). */
export async function detectCpu(platform: NodeJS.Platform = process.platform, roots: LinuxRoots = {}): Promise<CpuResult> {
  const arch = process.arch;
  const threads = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const brand = os.cpus()[0]?.model.trim() || null;
  if (platform === 'linux') {
    const proc = await readLinuxCpu(roots).catch(() => null);
    if (proc) return { cpu: { brand: proc.brand ?? brand, arch, cores: proc.cores, threads, ...cpuFlagsFrom(proc.flags, arch, platform) }, source: 'os', warning: null };
  }
  try {
    const si = await systemInformation();
    const [info, flags] = await Promise.all([si.cpu(), si.cpuFlags()]);
    return {
      cpu: { brand: brand ?? (`${info.manufacturer} ${info.brand}`.trim() || null), arch, cores: info.physicalCores || null, threads, ...cpuFlagsFrom(flags, arch) },
      source: 'systeminformation',
      warning: null,
    };
  } catch (err) {
    return { cpu: { brand, arch, cores: null, threads, ...cpuFlagsFrom('', arch) }, source: 'os', warning: `systeminformation cpu(): ${(err as Error).message}` };
  }
}

export async function detectMemory(platform: NodeJS.Platform = process.platform, roots: LinuxRoots = {}): Promise<MemoryResult> {
  if (platform === 'linux') {
    const proc = await readLinuxMemory(roots).catch(() => null);
    if (proc) return { memory: proc, source: 'os', warning: null };
  }
  try {
    const m = await (await systemInformation()).mem();
    return { memory: { totalBytes: m.total || os.totalmem(), availableBytes: m.available || null }, source: 'systeminformation', warning: null };
  } catch (err) {
    // os.freemem() excludes reclaimable cache, so it is not "available": leave that unknown.
    return { memory: { totalBytes: os.totalmem(), availableBytes: null }, source: 'os', warning: `systeminformation mem(): ${(err as Error).message}` };
  }
}

interface SiController {
  vendor?: string;
  model?: string;
  vram?: number | null;
  vramDynamic?: boolean;
  pciBus?: string;
  busAddress?: string;
  driverVersion?: string;
}

function vendorOf(v: string): GpuVendor {
  if (/nvidia/i.test(v)) return 'nvidia';
  if (/amd|advanced micro|ati\b/i.test(v)) return 'amd';
  if (/intel/i.test(v)) return 'intel';
  if (/apple/i.test(v)) return 'apple';
  return 'other';
}

export function gpusFromSystemInformation(controllers: SiController[]): GpuFacts[] {
  return controllers
    .filter((c) => c.model || c.vendor)
    .map((c) =>
      emptyGpu({
        vendor: vendorOf(`${c.vendor ?? ''} ${c.model ?? ''}`),
        name: (c.model || c.vendor || 'GPU').trim(),
        pciBusId: pciBusId(c.pciBus ?? c.busAddress),
        vramTotalBytes: typeof c.vram === 'number' && c.vram > 0 && !c.vramDynamic ? c.vram * MIB : null,
        unifiedMemory: c.vramDynamic === true,
        driverVersion: c.driverVersion || null,
        sources: ['systeminformation'],
      }),
    );
}

/**
 * systeminformation's graphics() runs helper tools (nvidia-smi, dmidecode, defaults) synchronously and
 * without a timeout: on the event loop a hung tool would freeze the app. It runs in a worker thread,
 * never by re-executing process.execPath: in the packaged app that is the Electron binary, whose
 * runAsNode fuse is off, so `ELECTRON_RUN_AS_NODE` is ignored and it would start a second app.
 * A worker blocked in a synchronous child cannot be terminated until that child returns, so inside
 * the worker every child_process call gets the timeout (SIGKILL): a hung tool costs at most one
 * timeout, and neither detection nor quitting (which joins worker threads) waits on it for ever.
 * Timers of asynchronous children die with the worker, so the worker reports their pids (each shell
 * leads a process group of its own on POSIX) and this thread kills what is left when it stops waiting.
 */
const WORKER_SOURCE = `
const cp = require('node:child_process');
const { parentPort, workerData } = require('node:worker_threads');
const posix = process.platform !== 'win32';
const timeout = workerData.timeoutMs;
const { execSync, execFileSync } = cp;
const limit = (o) => ({ timeout, killSignal: 'SIGKILL', windowsHide: true, ...(o || {}) });
cp.execSync = (cmd, o) => execSync(cmd, limit(o));
cp.execFileSync = (file, args, o) => (Array.isArray(args) ? execFileSync(file, args, limit(o)) : execFileSync(file, limit(args)));
// exec through spawn: execFile drops 'detached', and only a process group of its own lets the
// shell *and* the tool it started be killed together.
const kill = (pid) => { try { process.kill(posix ? -pid : pid, 'SIGKILL'); } catch {} };
cp.exec = (cmd, o, cb) => {
  if (typeof o === 'function') [o, cb] = [undefined, o];
  const child = cp.spawn(cmd, { cwd: o && o.cwd, env: (o && o.env) || process.env, shell: true, detached: posix, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid) parentPort.postMessage({ child: child.pid });
  const out = [], err = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  const timer = setTimeout(() => kill(child.pid), timeout);
  const done = (e) => { clearTimeout(timer); if (cb) cb(e, Buffer.concat(out).toString(), Buffer.concat(err).toString()); cb = null; };
  child.once('error', done);
  child.once('close', (code, signal) => done(code === 0 ? null : Object.assign(new Error(cmd + ' failed'), { code, signal })));
  return child;
};
require(workerData.siPath).graphics().then(
  (g) => parentPort.postMessage({ answer: { ok: true, controllers: g.controllers } }),
  (err) => parentPort.postMessage({ answer: { ok: false, reason: String((err && err.message) || err) } }),
);
`;

type WorkerAnswer = { ok: true; controllers: SiController[] } | { ok: false; reason: string };
type WorkerMessage = { child: number } | { answer: WorkerAnswer };

function killTool(pid: number): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // Already gone: the usual case once a tool has answered.
  }
}

function graphicsInWorker(timeoutMs: number, env: NodeJS.ProcessEnv): Promise<WorkerAnswer> {
  const siPath = createRequire(import.meta.url).resolve('systeminformation');
  const worker = new Worker(WORKER_SOURCE, { eval: true, env, workerData: { siPath, timeoutMs }, stdout: true, stderr: true });
  const children = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  return new Promise<WorkerAnswer>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `timed out after ${timeoutMs} ms` }), timeoutMs);
    worker.on('message', (m: WorkerMessage) => ('child' in m ? children.add(m.child) : resolve(m.answer)));
    worker.once('error', (err) => resolve({ ok: false, reason: err.message }));
    worker.once('exit', (code) => resolve({ ok: false, reason: `the detection thread exited with code ${code}` }));
    worker.stdout.resume();
    worker.stderr.resume();
  }).finally(() => {
    clearTimeout(timer);
    children.forEach(killTool);
    // Resolves once a synchronous tool still running has hit its own timeout; nothing waits for that.
    void worker.terminate();
  });
}

export async function detectSystemGraphics(timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<SourceOutcome> {
  const r = await graphicsInWorker(timeoutMs, env);
  if (!r.ok) return failedOutcome('systeminformation', `graphics(): ${r.reason}`);
  if (!Array.isArray(r.controllers)) return failedOutcome('systeminformation', 'graphics() returned no controller list');
  return { source: 'systeminformation', answered: true, gpus: gpusFromSystemInformation(r.controllers), warnings: [] };
}
