// The platform seam: the few things the core does differently on Linux, macOS and Windows (how a
// process tree is stopped, how an engine is spawned so it dies with us, which CPU the hardware
// really has, quarantine flags on unpacked binaries). Every branch takes the platform and a tool
// runner as arguments so unit tests drive the macOS and Windows paths on any machine.
import { runTool, type ToolRunner } from './process-table.js';

/**
 * Spawn options for an engine. POSIX: its own process group (`detached`), so a stop reaches
 * everything it started. Windows: *not* detached — libuv then puts the child in its kill-on-close
 * job object, so the engine dies with the app even after a crash or "End task"; detached would
 * take it out of that job and give it a console window of its own.
 */
export function engineSpawnOptions(platform: NodeJS.Platform = process.platform): { detached: boolean; windowsHide: true } {
  return { detached: platform !== 'win32', windowsHide: true };
}

export interface KillTreeDeps {
  platform?: NodeJS.Platform;
  run?: ToolRunner;
  kill?: (pid: number, signal: NodeJS.Signals | 0) => void;
}

/**
 * Stop a process and everything it started. POSIX: signal the process group the engine leads (it
 * was spawned detached), falling back to the pid alone. Windows has no signals: `process.kill`
 * would end one process and leave its children, so `taskkill /T /F` ends the tree. llama-server's
 * graceful path there (a console Ctrl-C event) needs native code we do not ship, so SIGTERM and
 * SIGKILL both end the tree at once on Windows.
 */
export async function killTree(pid: number, signal: NodeJS.Signals, deps: KillTreeDeps = {}): Promise<void> {
  if (!(pid > 0)) return;
  const platform = deps.platform ?? process.platform;
  const kill = deps.kill ?? ((p: number, s: NodeJS.Signals | 0) => process.kill(p, s));
  if (platform === 'win32') {
    await (deps.run ?? runTool)('taskkill', ['/PID', String(pid), '/T', '/F']);
    return;
  }
  try {
    kill(-pid, signal);
  } catch {
    try {
      kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * The CPU architecture of the hardware, not of this process: an x64 build of the app on Apple
 * Silicon runs under Rosetta (`process.arch` says x64) and must still choose the arm64 Metal engine.
 */
export async function hardwareArch(platform: NodeJS.Platform = process.platform, arch: string = process.arch, run: ToolRunner = runTool): Promise<string> {
  if (platform !== 'darwin' || arch !== 'x64') return arch;
  const r = await run('sysctl', ['-in', 'sysctl.proc_translated']);
  return r.ok && r.stdout.trim() === '1' ? 'arm64' : arch;
}

/**
 * Archives downloaded by a browser carry `com.apple.quarantine`, and macOS would refuse to run the
 * unpacked engine and its dylibs (or ask the user for each). The user chose to import them, so the
 * flag is removed from the unpacked folder. A no-op elsewhere; a failure is left to the self-test.
 */
export async function clearQuarantine(dir: string, platform: NodeJS.Platform = process.platform, run: ToolRunner = runTool): Promise<void> {
  if (platform !== 'darwin') return;
  await run('xattr', ['-dr', 'com.apple.quarantine', dir]);
}
