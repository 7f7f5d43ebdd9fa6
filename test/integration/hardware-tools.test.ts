// Detection with real child processes: tiny scripts on PATH play a missing, hanging, failing or
// garbage-printing tool, or replay captured nvidia-smi output; the real test engine lists its devices.
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectHardware } from '../../electron/core/hardware/detect.js';
import { listEngineDevices } from '../../electron/core/hardware/engine-devices.js';
import { HardwareService } from '../../electron/core/hardware/service.js';
import { testEnginePath } from '../helpers/engine.js';
import { FIXTURES } from '../helpers/paths.js';
import { waitFor } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

const MIB = 1024 * 1024;
const skip = process.platform === 'win32';
if (skip) console.warn('hardware tool tests use POSIX shell scripts as fake tools: skipped on Windows');

let bin: { path: string; cleanup: () => void };
beforeEach(() => {
  bin = tempDir('llama-orch-hw-');
});
afterEach(() => bin.cleanup());

/** Put an executable `name` into the temp PATH dir running `body` under /bin/sh. */
function tool(name: string, body: string): void {
  const p = join(bin.path, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
}
const env = () => ({ ...process.env, PATH: bin.path });
const warningsOf = (s: { warnings: { source: string; message: string }[] }) => s.warnings.map((w) => `${w.source}: ${w.message}`);

describe.skipIf(skip)('detectHardware with broken tools', () => {
  it('with no tools at all: CPU, RAM, no GPUs, and a warning per missing tool', async () => {
    const s = await detectHardware({ platform: 'linux', env: env(), timeoutMs: 2000 });
    expect(s.schemaVersion).toBe(1);
    expect(s.cpu.threads).toBeGreaterThan(0);
    expect(s.memory.totalBytes).toBeGreaterThan(0);
    expect(s.gpus).toEqual([]);
    expect(warningsOf(s)).toEqual(
      expect.arrayContaining([
        'nvidia-smi-xml: nvidia-smi is not installed (not found on PATH)',
        'rocm-smi-json: rocm-smi is not installed (not found on PATH)',
        'vulkaninfo-summary: vulkaninfo is not installed (not found on PATH)',
      ]),
    );
  });

  it('a hanging nvidia-smi is killed with its children at the timeout and becomes a warning', async () => {
    // not `exec`: the sleep is a grandchild holding stdout open, the case a plain kill would miss
    tool('nvidia-smi', `echo $$ >> ${bin.path}/pids\n/bin/sleep 30\necho never`);
    const started = Date.now();
    const s = await detectHardware({ platform: 'linux', env: env(), timeoutMs: 400, systemGraphics: false });
    expect(Date.now() - started).toBeLessThan(3000);
    // both queries timed out the same way: reported once
    expect(warningsOf(s).filter((w) => w.includes('nvidia-smi timed out'))).toEqual(['nvidia-smi-xml: nvidia-smi timed out after 400 ms']);
    expect(s.gpus).toEqual([]);
    const groupGone = (pid: number) => {
      try {
        process.kill(-pid, 0);
        return false; // (a killed grandchild is a zombie until init reaps it: allow a moment)
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ESRCH';
      }
    };
    for (const pid of readFileSync(join(bin.path, 'pids'), 'utf8').trim().split('\n').map(Number)) await waitFor(() => groupGone(pid), `process group ${pid} to be gone`);
  });

  it('an nvidia-smi printing garbage gives "unreadable output" warnings and a usable snapshot', async () => {
    tool('nvidia-smi', 'echo "\\033[31m*** stack smashing detected ***: terminated"\necho "<<<<>>>> %%%%"');
    const s = await detectHardware({ platform: 'linux', env: env(), timeoutMs: 2000, systemGraphics: false });
    expect(warningsOf(s).filter((w) => w.startsWith('nvidia-smi-xml: unreadable output: '))).toHaveLength(1);
    expect(warningsOf(s).filter((w) => w.startsWith('nvidia-smi-csv: unreadable output: '))).toHaveLength(1);
    expect(s.gpus).toEqual([]);
    expect(s.memory.totalBytes).toBeGreaterThan(0);
  });

  it('an nvidia-smi that cannot reach the driver reports its own message and exit code', async () => {
    tool('nvidia-smi', `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."\nexit 9`);
    const s = await detectHardware({ platform: 'linux', env: env(), timeoutMs: 2000, systemGraphics: false });
    expect(warningsOf(s)).toContain(
      "nvidia-smi-xml: nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    );
  });
});

/** A fake nvidia-smi replaying the dual RTX 2070 XML capture; its CSV rows mirror that capture. */
function fakeDual2070(): void {
  copyFileSync(join(FIXTURES, 'hardware', 'nvidia-smi-xml', 'telegraf_dual_2070-v13.xml'), join(bin.path, 'q.xml'));
  writeFileSync(
    join(bin.path, 'q.csv'),
    '0, GPU-12345678-aaaa-bbbb-cccc-0123456789ab, NVIDIA GeForce RTX 2070, 00000000:01:00.0, 8192, 1, 7786, 590.44.01, 7.5\n1, GPU-12345678-aaaa-bbbb-cccc-0123456789cd, NVIDIA GeForce RTX 2070, 00000000:02:00.0, 8192, 1, 7786, 590.44.01, 7.5\n',
  );
  writeFileSync(join(bin.path, 'live.csv'), '0, GPU-12345678-aaaa-bbbb-cccc-0123456789ab, 8192, 1000, 7192, 35, 51, 87.50\n1, GPU-12345678-aaaa-bbbb-cccc-0123456789cd, 8192, 1, 8191, 0, 40, [N/A]\n');
  tool(
    'nvidia-smi',
    `echo "$*" >> ${bin.path}/calls
case "$*" in
  "-q -x") exec /bin/cat ${bin.path}/q.xml ;;
  *utilization.gpu*) exec /bin/cat ${bin.path}/live.csv ;;
  --query-gpu=*) exec /bin/cat ${bin.path}/q.csv ;;
esac
exit 2`,
  );
}

describe.skipIf(skip)('detectHardware with a replayed nvidia-smi', () => {
  it('merges the XML and CSV answers into two GPUs and still reports the other tools failing', async () => {
    fakeDual2070();
    tool('rocm-smi', 'echo "not json"');
    tool('vulkaninfo', 'exec /bin/sleep 30');
    const s = await detectHardware({ platform: 'linux', env: env(), timeoutMs: 500 });
    expect(s.gpus).toHaveLength(2);
    expect(s.gpus.map((g) => [g.index, g.name, g.pciBusId, g.vramTotalBytes, g.vramFreeBytes, g.driverVersion, g.cudaVersion, g.computeCapability])).toEqual([
      [0, 'NVIDIA GeForce RTX 2070', '00000000:01:00.0', 8192 * MIB, 7786 * MIB, '590.44.01', '13.1', '7.5'],
      [1, 'NVIDIA GeForce RTX 2070', '00000000:02:00.0', 8192 * MIB, 7786 * MIB, '590.44.01', '13.1', '7.5'],
    ]);
    expect(s.gpus[0]!.backends).toEqual(['cuda']);
    expect(s.sources).toEqual(expect.arrayContaining(['nvidia-smi-xml', 'nvidia-smi-csv']));
    expect(s.sources).not.toContain('rocm-smi-json');
    expect(warningsOf(s)).toEqual(expect.arrayContaining(['vulkaninfo-summary: vulkaninfo timed out after 500 ms']));
    expect(warningsOf(s).some((w) => w.startsWith('rocm-smi-json: unreadable output: not JSON'))).toBe(true);
  });

  it('polls live memory only while subscribed, through the CSV fast path', async () => {
    fakeDual2070();
    const service = new HardwareService({ detectOptions: { platform: 'linux', env: env(), timeoutMs: 2000 }, pollIntervalMs: 50 });
    await service.snapshot();
    const calls = () =>
      readFileSync(join(bin.path, 'calls'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('utilization.gpu')).length;
    expect(calls()).toBe(0);
    const reports: { gpus: { index: number; vramUsedBytes: number | null; utilizationPercent: number | null; temperatureC: number | null; powerWatts: number | null }[] }[] = [];
    const off = service.monitor.subscribe((r) => reports.push(r));
    await waitFor(() => reports.length >= 3, 'three live reports');
    off();
    expect(reports[0]!.gpus).toEqual([
      expect.objectContaining({ index: 0, vramUsedBytes: 1000 * MIB, utilizationPercent: 35, temperatureC: 51, powerWatts: 87.5 }),
      expect.objectContaining({ index: 1, vramUsedBytes: 1 * MIB, utilizationPercent: 0, temperatureC: 40, powerWatts: null }), // [N/A]: not reported, not invented
    ]);
    const after = calls();
    await new Promise((r) => setTimeout(r, 300));
    expect(calls()).toBe(after); // nobody watching: no more nvidia-smi runs
  });
});

describe.skipIf(skip)('engine device mapping', () => {
  it('the real CPU-only test engine lists no devices, without warnings', async () => {
    const r = await listEngineDevices(testEnginePath(), []);
    expect(r).toEqual({ devices: [], warnings: [] });
  });

  it('runs the engine with CUDA_DEVICE_ORDER=PCI_BUS_ID and maps its CUDA devices to the GPUs', async () => {
    fakeDual2070();
    const s = await detectHardware({ platform: 'linux', env: env(), timeoutMs: 2000 });
    // a stand-in llama-server that only numbers GPUs by PCI bus when told to, like CUDA
    tool(
      'llama-server',
      `[ "$1" = "--list-devices" ] || exit 1
echo "ggml_cuda_init: found 2 CUDA devices:"
echo "Available devices:"
if [ "$CUDA_DEVICE_ORDER" = "PCI_BUS_ID" ]; then
  echo "  CUDA0: NVIDIA GeForce RTX 2070 (7971 MiB, 7786 MiB free)"; echo "  CUDA1: NVIDIA GeForce RTX 2070 (7971 MiB, 7786 MiB free)"
fi`,
    );
    const r = await listEngineDevices(join(bin.path, 'llama-server'), s.gpus);
    expect(r.warnings).toEqual([]);
    expect(r.devices.map((d) => [d.id, d.gpuIndex, d.totalBytes])).toEqual([
      ['CUDA0', 0, 7971 * MIB],
      ['CUDA1', 1, 7971 * MIB],
    ]);
  });

  it('an engine that crashes on --list-devices gives a warning, not an exception', async () => {
    tool('llama-server', 'echo "error while loading shared libraries: libcudart.so.12" >&2\nexit 127');
    const r = await listEngineDevices(join(bin.path, 'llama-server'), []);
    expect(r.devices).toEqual([]);
    expect(r.warnings).toEqual([{ source: 'llama-server', message: `${join(bin.path, 'llama-server')} exited with code 127: error while loading shared libraries: libcudart.so.12` }]);
  });
});
