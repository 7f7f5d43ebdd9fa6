// Orphan reaping at start-up: a pid from a stale pidfile is killed only when the process table says
// it is the engine we recorded. Real processes (a `sleep` stands in for an engine) on POSIX; the
// Windows and macOS branches through a fake process table at the `identify` seam.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { liveEnginesIn, PidFiles, type PidRecord } from '../../../electron/core/supervisor/pidfiles.js';
import { parseWindowsProcess, type ProcessIdentity } from '../../../electron/core/util/process-table.js';
import { isAlive, waitFor } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/tmp.js';

const posix = process.platform !== 'win32';
const children: ChildProcess[] = [];
const dirs: { cleanup(): void }[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) d.cleanup();
});

/** A long-running stand-in engine in its own process group, like a spawned llama-server. */
function standIn(): { pid: number; exe: string; child: ChildProcess } {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  children.push(child);
  return { pid: child.pid!, exe: realpathSync(whichSleep()), child };
}

function whichSleep(): string {
  for (const p of ['/bin/sleep', '/usr/bin/sleep']) {
    try {
      return realpathSync(p);
    } catch {
      // next
    }
  }
  throw new Error('no sleep binary');
}

function pidfiles(): { files: PidFiles; write(rec: Partial<PidRecord> & { pid: number }): void } {
  const dir = tempDir('reaper-');
  dirs.push(dir);
  const files = new PidFiles(dir.path);
  return { files, write: (rec) => files.write({ instanceId: `i${rec.pid}`, enginePath: '/nowhere/llama-server', startedAt: new Date().toISOString(), corePid: 999_999_9, ...rec }) };
}

describe.runIf(posix)('orphan reaping against the real process table', () => {
  it('kills a recorded engine whose executable and start time match, and removes its pidfile', async () => {
    const e = standIn();
    const p = pidfiles();
    p.write({ pid: e.pid, enginePath: e.exe });
    expect(await p.files.reapOrphans()).toEqual([e.pid]);
    await waitFor(() => e.child.exitCode !== null || e.child.signalCode !== null, 'the orphan to exit');
    expect(p.files.list()).toEqual([]);
  });

  it('leaves a live process alone when its pid was reused (it started at another time than recorded)', async () => {
    const e = standIn();
    const p = pidfiles();
    p.write({ pid: e.pid, enginePath: e.exe, startedAt: new Date(Date.now() - 3600_000).toISOString() });
    expect(await p.files.reapOrphans()).toEqual([]);
    expect(isAlive(e.pid)).toBe(true);
    expect(p.files.list()).toEqual([]); // the stale record is gone, so it is not retried forever
  });

  it('leaves a live process alone when it runs another executable than the recorded engine', async () => {
    const e = standIn();
    const p = pidfiles();
    p.write({ pid: e.pid, enginePath: '/opt/llama/llama-server' });
    expect(await p.files.reapOrphans()).toEqual([]);
    expect(isAlive(e.pid)).toBe(true);
  });

  it('reaps the engine of a dead core even when the core pid now belongs to another live process', async () => {
    const engine = standIn();
    const other = standIn(); // holds the "core" pid now, started long after the recorded core
    const p = pidfiles();
    p.write({ pid: engine.pid, enginePath: engine.exe, corePid: other.pid, coreStartedAt: new Date(Date.now() - 86_400_000).toISOString() });
    expect(await p.files.reapOrphans()).toEqual([engine.pid]);
    expect(isAlive(other.pid)).toBe(true);
  });

  it('leaves the engines of a live core alone (its pid and start time match)', async () => {
    const engine = standIn();
    const core = standIn();
    const p = pidfiles();
    p.write({ pid: engine.pid, enginePath: engine.exe, corePid: core.pid, coreStartedAt: new Date().toISOString() });
    expect(await p.files.reapOrphans()).toEqual([]);
    expect(p.files.list()).toHaveLength(1);
    expect(isAlive(engine.pid)).toBe(true);
  });
});

describe.runIf(posix)('engines in use by another llama-orch process (engines remove)', () => {
  it('counts a live engine run from the folder, and not a pid since reused by another program', async () => {
    const dir = tempDir('live-engines-');
    dirs.push(dir);
    const engineDir = join(dir.path, 'engines', 'b1-cpu-x64');
    mkdirSync(engineDir, { recursive: true });
    const bin = join(engineDir, 'llama-server');
    copyFileSync(whichSleep(), bin); // a real executable inside the engine folder
    const child = spawn(bin, ['300'], { detached: true, stdio: 'ignore' });
    children.push(child);
    const run = join(dir.path, 'run');
    const files = new PidFiles(run);
    files.write({ pid: child.pid!, instanceId: 'a', enginePath: bin, startedAt: new Date().toISOString(), corePid: process.pid });
    expect((await liveEnginesIn(run, engineDir)).map((r) => r.pid)).toEqual([child.pid]);
    files.write({ pid: child.pid!, instanceId: 'a', enginePath: bin, startedAt: new Date(Date.now() - 3600_000).toISOString(), corePid: process.pid });
    expect(await liveEnginesIn(run, engineDir)).toEqual([]);
  });
});

describe('orphan reaping on other platforms (fake process table)', () => {
  /** A live pid (this test process) the fake table describes as the platform would. */
  const live = process.pid;
  const started = '2026-12-04T16:00:00.000Z';

  async function reapWith(identity: ProcessIdentity | null, platform: NodeJS.Platform, enginePath: string) {
    const p = pidfiles();
    p.write({ pid: live, enginePath, startedAt: started, corePid: -1 });
    const killed: string[] = [];
    const warnings: string[] = [];
    const reaped = await p.files.reapOrphans({
      platform,
      identify: async () => identity,
      killTree: async (pid, signal) => void killed.push(`${pid} ${signal}`),
      warn: (m) => warnings.push(m),
    });
    return { reaped, killed, warnings };
  }

  it('Windows: stops the recorded engine as a tree when PowerShell reports the same exe and start time', async () => {
    const exe = 'C:\\Users\\ana\\AppData\\Local\\llama-orch\\engines\\b1\\llama-server.exe';
    const id = parseWindowsProcess(JSON.stringify({ exe: exe.toUpperCase(), start: '2026-12-04T16:00:00.4000000Z' }));
    // The kill goes through the injected tree kill; the fake leaves the pid alive, so SIGKILL follows.
    const r = await reapWith(id, 'win32', exe);
    expect(r.reaped).toEqual([live]);
    expect(r.killed).toEqual([`${live} SIGTERM`, `${live} SIGKILL`]);
  }, 20_000);

  it('Windows: a pid reused after logoff by another program is not killed', async () => {
    const id = parseWindowsProcess(JSON.stringify({ exe: 'C:\\Windows\\explorer.exe', start: '2026-12-04T16:00:00Z' }));
    const r = await reapWith(id, 'win32', 'C:\\data\\engines\\b1\\llama-server.exe');
    expect(r).toEqual({ reaped: [], killed: [], warnings: [] });
  });

  it('macOS: an unreadable identity is skipped with a warning, never killed', async () => {
    const r = await reapWith({ exe: null, startedAtMs: Date.parse(started) }, 'darwin', '/Users/ana/engines/b1/llama-server');
    expect(r.killed).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/could not be identified as our engine; it was left running/);
  });
});
