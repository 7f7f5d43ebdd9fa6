// The platform seam: tree kill, engine spawn options, Rosetta, quarantine — each platform's branch.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clearQuarantine, engineSpawnOptions, hardwareArch, killTree } from '../../../electron/core/util/platform.js';
import type { ToolRunner } from '../../../electron/core/util/process-table.js';
import { isAlive, waitFor } from '../../helpers/processes.js';

function recorder(stdout = ''): { run: ToolRunner; calls: string[] } {
  const calls: string[] = [];
  return { calls, run: async (file, args) => (calls.push([file, ...args].join(' ')), { ok: true, stdout }) };
}

/** Gone, or a zombie waiting for init (a killed grandchild is reparented; its reaping is not ours). */
function gone(pid: number): boolean {
  if (!isAlive(pid)) return true;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return !isAlive(pid);
  }
}

describe('tree kill', () => {
  it.runIf(process.platform !== 'win32')('POSIX: stops the engine and the processes it started (its process group)', async () => {
    const child = spawn('sh', ['-c', 'sleep 300 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const grandchild = Number(await new Promise<string>((r) => child.stdout!.once('data', (d: Buffer) => r(d.toString()))));
    expect(isAlive(grandchild)).toBe(true);
    await killTree(child.pid!, 'SIGTERM');
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, 'the engine to exit');
    await waitFor(() => gone(grandchild), 'the process it started to exit');
  });

  it('Windows: ends the whole tree with taskkill /T /F (no signals there)', async () => {
    const { run, calls } = recorder();
    const kills: number[] = [];
    await killTree(4242, 'SIGTERM', { platform: 'win32', run, kill: (p) => void kills.push(p) });
    expect(calls).toEqual(['taskkill /PID 4242 /T /F']);
    expect(kills).toEqual([]);
  });

  it('POSIX: signals the group, then the pid alone when there is no group', async () => {
    const kills: string[] = [];
    await killTree(4242, 'SIGKILL', {
      platform: 'darwin',
      kill: (p, s) => {
        kills.push(`${p} ${s}`);
        if (p < 0) throw Object.assign(new Error('no such group'), { code: 'ESRCH' });
      },
    });
    expect(kills).toEqual(['-4242 SIGKILL', '4242 SIGKILL']);
  });
});

describe('engine spawn options', () => {
  it("keeps Windows engines in libuv's kill-on-close job (not detached) and POSIX engines in their own group", () => {
    expect(engineSpawnOptions('win32')).toEqual({ detached: false, windowsHide: true });
    expect(engineSpawnOptions('linux')).toEqual({ detached: true, windowsHide: true });
    expect(engineSpawnOptions('darwin').detached).toBe(true);
  });
});

describe('hardware architecture under Rosetta', () => {
  it('reports arm64 for the x64 app translated by Rosetta, and x64 on an Intel Mac', async () => {
    const rosetta = recorder('1\n');
    expect(await hardwareArch('darwin', 'x64', rosetta.run)).toBe('arm64');
    expect(rosetta.calls).toEqual(['sysctl -in sysctl.proc_translated']);
    expect(await hardwareArch('darwin', 'x64', recorder('').run)).toBe('x64'); // Intel: the OID does not exist
    expect(await hardwareArch('darwin', 'x64', recorder('0\n').run)).toBe('x64');
  });

  it('asks nothing on other systems or native builds', async () => {
    const r = recorder('1');
    expect(await hardwareArch('linux', 'x64', r.run)).toBe('x64');
    expect(await hardwareArch('darwin', 'arm64', r.run)).toBe('arm64');
    expect(r.calls).toEqual([]);
  });
});

describe('quarantine of unpacked engines', () => {
  it('removes com.apple.quarantine recursively on macOS only', async () => {
    const mac = recorder();
    await clearQuarantine('/x/engines/.staging-b1', 'darwin', mac.run);
    expect(mac.calls).toEqual(['xattr -dr com.apple.quarantine /x/engines/.staging-b1']);
    const linux = recorder();
    await clearQuarantine('/x', 'linux', linux.run);
    expect(linux.calls).toEqual([]);
  });
});
