// CPU and RAM on Linux from /proc and sysfs: the pure parsers on cpuinfo/meminfo text, the readers on a
// fake /proc + /sys in a temp dir, and detectCpu/detectMemory on this machine's real files.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCpuinfo, parseMeminfo, readLinuxCpu, readLinuxMemory } from '../../../electron/core/hardware/linux-proc.js';
import { detectCpu, detectMemory } from '../../../electron/core/hardware/system.js';
import { tempDir } from '../../helpers/tmp.js';
import { startedDuring } from './fixture.js';

/** x86 cpuinfo: `sockets` packages × `coresPer` cores × 2 hardware threads. */
function x86Cpuinfo(sockets: number, coresPer: number, flags = 'fpu sse sse2 avx avx2 fma'): string {
  const blocks: string[] = [];
  for (let s = 0; s < sockets; s++)
    for (let t = 0; t < 2; t++)
      for (let c = 0; c < coresPer; c++)
        blocks.push(`processor\t: ${blocks.length}\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\nphysical id\t: ${s}\ncore id\t\t: ${c}\nflags\t\t: ${flags}\n`);
  return `${blocks.join('\n')}\n`;
}

const ARM64_CPUINFO = [0, 1, 2, 3].map((n) => `processor\t: ${n}\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n`).join('\n');

const MEMINFO = 'MemTotal:       32768000 kB\nMemFree:         1000000 kB\nMemAvailable:   20480000 kB\nBuffers:          100000 kB\n';

describe('parseCpuinfo', () => {
  it('counts distinct (physical id, core id) pairs as cores, not hardware threads', () => {
    const cpu = parseCpuinfo(x86Cpuinfo(2, 4));
    expect(cpu).toEqual({ brand: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', flags: 'fpu sse sse2 avx avx2 fma', cores: 8 });
  });

  it('leaves cores unknown and reads Features where the kernel prints no topology (arm64)', () => {
    expect(parseCpuinfo(ARM64_CPUINFO)).toEqual({ brand: null, flags: 'fp asimd evtstrm crc32 cpuid', cores: null });
  });

  it('does not count cores from a partial topology', () => {
    const partial = x86Cpuinfo(1, 2).replace(/physical id\t: 0\n/, '');
    expect(parseCpuinfo(partial).cores).toBeNull();
  });
});

describe('parseMeminfo', () => {
  it('reads MemTotal and MemAvailable in bytes', () => {
    expect(parseMeminfo(MEMINFO)).toEqual({ totalBytes: 32768000 * 1024, availableBytes: 20480000 * 1024 });
  });

  it('leaves available unknown on kernels without MemAvailable, and refuses a file without MemTotal', () => {
    expect(parseMeminfo('MemTotal: 1024 kB\nMemFree: 10 kB\n')).toEqual({ totalBytes: 1024 * 1024, availableBytes: null });
    expect(() => parseMeminfo('MemFree: 10 kB\n')).toThrow(/MemTotal/);
  });
});

describe('reading /proc and /sys', () => {
  const dirs: { cleanup: () => void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  function fakeRoots(cpuinfo: string, siblings: string[]): { procRoot: string; sysRoot: string } {
    const dir = tempDir();
    dirs.push(dir);
    const procRoot = join(dir.path, 'proc');
    const sysRoot = join(dir.path, 'sys');
    mkdirSync(procRoot);
    writeFileSync(join(procRoot, 'cpuinfo'), cpuinfo);
    writeFileSync(join(procRoot, 'meminfo'), MEMINFO);
    siblings.forEach((list, n) => {
      const topology = join(sysRoot, 'devices', 'system', 'cpu', `cpu${n}`, 'topology');
      mkdirSync(topology, { recursive: true });
      writeFileSync(join(topology, 'thread_siblings_list'), `${list}\n`);
    });
    mkdirSync(join(sysRoot, 'devices', 'system', 'cpu', 'cpufreq'), { recursive: true }); // not a CPU: ignored
    return { procRoot, sysRoot };
  }

  it('counts cores from sysfs thread siblings when cpuinfo has no topology', async () => {
    const roots = fakeRoots(ARM64_CPUINFO, ['0-1', '0-1', '2', '3']);
    expect(await readLinuxCpu(roots)).toMatchObject({ cores: 3, flags: 'fp asimd evtstrm crc32 cpuid' });
  });

  it('prefers the cpuinfo topology, and says null when neither source knows', async () => {
    expect((await readLinuxCpu(fakeRoots(x86Cpuinfo(1, 3), ['0', '1']))).cores).toBe(3);
    expect((await readLinuxCpu(fakeRoots(ARM64_CPUINFO, []))).cores).toBeNull();
  });

  it('reads meminfo, and throws (so systeminformation is asked) when /proc has no such file', async () => {
    const roots = fakeRoots(ARM64_CPUINFO, []);
    expect(await readLinuxMemory(roots)).toEqual({ totalBytes: 32768000 * 1024, availableBytes: 20480000 * 1024 });
    await expect(readLinuxMemory({ procRoot: join(roots.procRoot, 'missing') })).rejects.toThrow();
  });

  it.runIf(process.platform === 'linux')(
    'detectCpu falls back to systeminformation (which runs lscpu) when /proc cannot be read',
    async () => {
      const { value: r, started } = await startedDuring(() => detectCpu('linux', { procRoot: join(os.tmpdir(), 'no-such-proc-root') }));
      expect(r.source).toBe('systeminformation');
      expect(started).toContain('PROCESSWRAP');
      expect(r.cpu.threads).toBe(os.availableParallelism());
    },
    30_000,
  );
});

describe.runIf(process.platform === 'linux')('this machine', () => {
  it('detects CPU and RAM from /proc without starting a process or a thread', async () => {
    const { value, started } = await startedDuring(() => Promise.all([detectCpu(), detectMemory()]));
    const [cpu, memory] = value;
    expect(started).toEqual([]);
    expect(cpu).toMatchObject({ source: 'os', warning: null });
    expect(cpu.cpu.threads).toBe(os.availableParallelism());
    expect(cpu.cpu.cores === null || cpu.cpu.cores >= 1).toBe(true);
    if (process.arch === 'x64') expect(typeof cpu.cpu.avx2).toBe('boolean');
    expect(memory).toMatchObject({ source: 'os', warning: null });
    expect(memory.memory.totalBytes).toBe(os.totalmem());
    expect(memory.memory.availableBytes).toBeGreaterThan(0);
    expect(memory.memory.availableBytes).toBeLessThanOrEqual(memory.memory.totalBytes);
  });
});
