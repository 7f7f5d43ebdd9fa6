// The side-effect seam of the supervisor: starting an engine process, asking it for health, and
// killing its process group. Unit tests replace this with a recording fake; everything else uses
// `realEngineEffects` (execa, real HTTP, real signals).
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { isExecutable, parentDeathPrefix } from './parent-death.js';
import { engineSpawnOptions, killTree } from '../util/platform.js';

export interface SpawnSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface EngineProcess {
  pid: number;
  /** Resolves once when the process has exited (never rejects). */
  exited: Promise<ExitInfo>;
  /** Signal the engine and anything it spawned (its process group; on Windows its process tree). */
  signalGroup(signal: NodeJS.Signals): void;
}

export interface EngineEffects {
  spawn(spec: SpawnSpec, onLine: (stream: 'stdout' | 'stderr', text: string) => void): EngineProcess;
  /** true when the engine answers /health with 200 (model loaded), false while loading or unreachable. */
  health(port: number): Promise<boolean>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export const realEngineEffects: EngineEffects = {
  spawn(spec, onLine) {
    // A missing or non-executable engine spawns plainly, so its error stays the usual ENOENT/EACCES.
    const [wrapper, ...wrapperArgs] = isExecutable(spec.file) ? parentDeathPrefix() : [];
    const child = execa(wrapper ?? spec.file, wrapper ? [...wrapperArgs, spec.file, ...spec.args] : spec.args, {
      env: spec.env,
      extendEnv: true,
      cwd: spec.cwd,
      ...engineSpawnOptions(), // POSIX: own process group; Windows: stays in libuv's kill-on-close job
      cleanup: false, // we own the lifecycle (graceful stop, pidfiles, reaping)
      buffer: false,
      reject: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      if (source) createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => onLine(stream, line));
    }
    const exited = child.then(
      (r) => ({ code: r.exitCode ?? null, signal: r.signal ?? null }),
      (err: { exitCode?: number; signal?: string }) => ({ code: err.exitCode ?? null, signal: err.signal ?? null }),
    );
    const pid = child.pid;
    if (pid === undefined) {
      // Spawn failed synchronously (ENOENT, EACCES): report it as an immediate exit.
      return { pid: -1, exited, signalGroup: () => {} };
    }
    return { pid, exited, signalGroup: (signal) => void killTree(pid, signal) };
  },
  async health(port) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  },
  // Unref'd: a pending grace or backoff timer must not keep a stopping process alive.
  sleep: (ms) => new Promise((r) => setTimeout(r, ms).unref()),
  now: () => Date.now(),
};
