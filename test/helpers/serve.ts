// Runs the real `llama-orch serve` (the built CLI) as a child process for integration and e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { trackChild } from './children.js';
import { CLI } from './paths.js';
import { isAlive, waitFor } from './processes.js';

export interface ServeHandle {
  url: string;
  loginUrl: string;
  proc: ChildProcess;
  output: string[];
  /** Engine pids reported ready, by model id. */
  enginePids: Map<string, number>;
  /** SIGTERM (or the given signal) and wait for exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `command`: another `llama-orch` to run (an installed one) instead of this checkout's; `cwd`: where. */
export async function startServe(args: string[], opts: { env?: NodeJS.ProcessEnv; readyModels?: number; timeoutMs?: number; command?: string; cwd?: string } = {}): Promise<ServeHandle> {
  const [file, pre] = opts.command ? [opts.command, []] : [process.execPath, [CLI]];
  const proc = spawn(file, [...pre, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...opts.env },
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(proc, `llama-orch serve ${args.join(' ')}`);
  const output: string[] = [];
  const enginePids = new Map<string, number>();
  let url = '';
  let loginUrl = '';
  for (const stream of [proc.stdout!, proc.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      const serving = /serving on (http:\/\/\S+)/.exec(line);
      if (serving) url = serving[1]!;
      const login = /web UI:\s+(http:\/\/\S+)/.exec(line);
      if (login) loginUrl = login[1]!;
      const ready = /model (\S+): ready \(engine pid (\d+)\)/.exec(line);
      if (ready) enginePids.set(ready[1]!, Number(ready[2]));
    });
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve((exitCode = code))));
  const wanted = opts.readyModels ?? args.filter((a) => a === '--model').length;
  try {
    await waitFor(() => exitCode !== undefined || (url && loginUrl && enginePids.size >= wanted), 'llama-orch serve to be ready', opts.timeoutMs ?? 30_000);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${output.join('\n')}`);
  }
  if (exitCode !== undefined) throw new Error(`llama-orch serve exited with code ${exitCode}:\n${output.join('\n')}`);
  return {
    url,
    loginUrl,
    proc,
    output,
    enginePids,
    async stop(signal = 'SIGTERM') {
      if (exitCode === undefined && proc.pid && isAlive(proc.pid)) proc.kill(signal);
      return exited;
    },
  };
}
