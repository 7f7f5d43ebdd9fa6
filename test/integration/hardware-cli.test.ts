// `llama-orch hardware` through the built CLI (bin/llama-orch.js → dist/): this machine, support mode
// from saved tool output, the engine device list, and usage errors.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineDevice, HardwareSnapshot } from '../../electron/contract/index.js';
import { testEnginePath } from '../helpers/engine.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const empty = tempDir('llama-orch-hw-cli-');
afterAll(() => empty.cleanup());
const HW = join(FIXTURES, 'hardware');

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'hardware', ...args], { encoding: 'utf8', env, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

describe('llama-orch hardware', () => {
  it('--json on a machine without GPU tools: CPU and RAM of this machine, gpus [], quickly', () => {
    const r = cli(['--json'], { ...process.env, PATH: empty.path });
    expect(r.code, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(5000);
    const s = JSON.parse(r.stdout) as HardwareSnapshot;
    expect(s).toMatchObject({ schemaVersion: 1, platform: process.platform, gpus: [] });
    expect(s.cpu.threads).toBe(os.availableParallelism());
    expect(s.cpu.arch).toBe(process.arch);
    expect(s.memory.totalBytes).toBe(os.totalmem());
    expect(s.memory.availableBytes).toBeGreaterThan(0);
    expect(s.memory.availableBytes).toBeLessThanOrEqual(s.memory.totalBytes);
    expect(s.warnings.map((w) => w.source)).toContain('nvidia-smi-xml');
  });

  it("--json with this machine's own PATH answers with a valid snapshot", () => {
    const r = cli(['--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as HardwareSnapshot;
    expect(s.schemaVersion).toBe(1);
    expect(Array.isArray(s.gpus)).toBe(true);
    for (const g of s.gpus) expect(g.index).toBe(s.gpus.indexOf(g));
    console.warn(`hardware here: ${s.gpus.length} GPU(s), ${s.cpu.threads} threads, detected in ${r.ms} ms`);
  });

  it('prints a human table by default', () => {
    const r = cli([], { ...process.env, PATH: empty.path });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CPU {5}.+\(x64|arm64/m);
    expect(r.stdout).toMatch(/^Memory {2}\d+\.\d GiB total/m);
    expect(r.stdout).toContain('GPUs    none detected');
    expect(r.stdout).toContain('  - nvidia-smi-xml: nvidia-smi is not installed (not found on PATH)');
  });

  it("support mode builds the GPU list from a customer's saved tool output", () => {
    const r = cli(
      [
        '--json',
        '--from',
        `nvidia-smi-xml=${join(HW, 'nvidia-smi-xml', 'telegraf_rtx-3080-v12.xml')}`,
        '--from',
        `rocm-smi-json=${join(HW, 'rocm-smi-json', 'gpustack_amd-gpu-6.2.4-rocm-smi.json')}`,
        '--from',
        `rocminfo-text=${join(HW, 'rocminfo-text', 'gpustack_amd-gpu-6.2.4-rocminfo.txt')}`,
        '--from',
        `vulkaninfo-summary=${join(HW, 'vulkaninfo-summary', 'lact_rtx4080-llvmpipe_vulkaninfo-summary.txt')}`,
      ],
      { ...process.env, PATH: empty.path },
    );
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as HardwareSnapshot;
    expect(s.gpus.map((g) => [g.index, g.vendor, g.name, g.vramTotalBytes, g.driverVersion, g.computeCapability, g.backends])).toEqual([
      [0, 'nvidia', 'NVIDIA GeForce RTX 3080', 10240 * 1024 ** 2, '536.40', null, ['cuda']],
      [1, 'amd', 'AMD Radeon RX 7800 XT', 17163091968, null, 'gfx1101', ['rocm']],
      // the Vulkan summary is from another machine (an RTX 4080): listed, memory unknown
      [2, 'nvidia', 'NVIDIA GeForce RTX 4080', null, '565.77', null, ['vulkan']],
    ]);
    expect(s.sources).toEqual(expect.arrayContaining(['nvidia-smi-xml', 'rocm-smi-json', 'rocminfo-text', 'vulkaninfo-summary']));
    expect(s.warnings).toContainEqual({ source: 'os', message: 'support mode: GPUs come from the saved tool output; cpu and memory describe this machine' });
    // no tool ran: nothing on PATH could have answered, and no "not installed" warnings appear
    expect(s.warnings.some((w) => w.message.includes('not installed'))).toBe(false);
  });

  it('support mode turns an unreadable file into a warning naming the file', () => {
    const file = join(HW, 'SOURCES.md');
    const r = cli(['--json', '--from', `nvidia-smi-xml=${file}`]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as HardwareSnapshot;
    expect(s.gpus).toEqual([]);
    expect(s.warnings.find((w) => w.source === 'nvidia-smi-xml')?.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: unreadable output: `));
  });

  it("--engine maps the real engine's devices (none: a CPU build)", () => {
    const r = cli(['--json', '--engine', testEnginePath()], { ...process.env, PATH: empty.path });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as HardwareSnapshot & { engineDevices: EngineDevice[] };
    expect(s.engineDevices).toEqual([]);
    expect(s.warnings.some((w) => w.source === 'llama-server')).toBe(false);
    expect(cli(['--engine', testEnginePath()], { ...process.env, PATH: empty.path }).stdout).toContain('Engine devices (llama-server --list-devices):\n  none (CPU only)');
  });

  it('refuses an unknown tool, a missing file and a malformed --from with usage errors', () => {
    const unknown = cli(['--from', 'nvidia-smi=x.xml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--from: unknown tool 'nvidia-smi'; tools: nvidia-smi-xml, nvidia-smi-csv, rocm-smi-json, rocminfo-text, system-profiler-json, vulkaninfo-summary");
    const missing = cli(['--from', `nvidia-smi-xml=${join(empty.path, 'nope.xml')}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('file not found');
    expect(cli(['--from', 'nvidia-smi-xml']).stderr).toContain("--from expects <tool>=<file>, got 'nvidia-smi-xml'");
    expect(cli(['--timeout', 'soon']).code).toBe(2);
  });
});
