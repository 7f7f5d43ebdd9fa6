// Runs a freshly unpacked llama-server with `--version`, `--list-devices` and `--help` and keeps
// what it says: the version, the devices it can use, and whether its log scale makes level 4 a
// prompt-free "trace" level (the one that prints memory buffer sizes).
import { dirname } from 'node:path';
import { execa } from 'execa';
import type { EngineDeviceLine, SelfTestResult } from '../../contract/index.js';

const SELF_TEST_TIMEOUT_MS = 60_000;

export async function selfTest(binary: string): Promise<SelfTestResult> {
  const version = await runEngine(binary, ['--version']);
  const parsed = parseVersion(version.output);
  if (!version.ok || !parsed.version) {
    return {
      ok: false,
      ...parsed,
      versionOutput: version.output,
      devices: [],
      listDevicesOutput: '',
      traceVerbosity: false,
      error: `\`llama-server --version\` failed: ${version.error ?? 'it printed no version'}${tailOf(version.output)}`,
    };
  }
  const devices = await runEngine(binary, ['--list-devices']);
  const help = await runEngine(binary, ['--help']);
  return {
    ok: devices.ok,
    ...parsed,
    versionOutput: version.output,
    devices: parseListDevices(devices.output),
    listDevicesOutput: devices.output,
    traceVerbosity: hasTraceVerbosity(help.output),
    error: devices.ok ? null : `\`llama-server --list-devices\` failed: ${devices.error}${tailOf(devices.output)}`,
  };
}

/** The environment an engine needs to find the libraries shipped beside it. */
export function engineEnv(binary: string): Record<string, string> {
  const dir = dirname(binary);
  if (process.platform === 'linux') return { LD_LIBRARY_PATH: [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
  if (process.platform === 'darwin') return { DYLD_LIBRARY_PATH: [dir, process.env.DYLD_LIBRARY_PATH].filter(Boolean).join(':') };
  return {};
}

async function runEngine(binary: string, args: string[]): Promise<{ ok: boolean; output: string; error: string | null }> {
  const r = await execa(binary, args, { reject: false, all: true, timeout: SELF_TEST_TIMEOUT_MS, cwd: dirname(binary), env: engineEnv(binary), stdin: 'ignore' });
  const output = (r.all ?? '').toString();
  if (r.exitCode === 0) return { ok: true, output, error: null };
  const error = r.timedOut
    ? `timed out after ${SELF_TEST_TIMEOUT_MS / 1000} s`
    : r.signal
      ? `killed by ${r.signal}`
      : r.exitCode !== undefined
        ? `exit code ${r.exitCode}`
        : (r.message ?? 'it could not be started');
  return { ok: false, output, error };
}

function tailOf(output: string): string {
  const last = output
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .slice(-2)
    .join(' | ');
  return last ? ` (${last})` : '';
}

/** `version: 6550 (3d4e7a0)` (releases) or `version: 0.5.0-dev (build 1, commit de3ff81)`. */
export function parseVersion(output: string): Pick<SelfTestResult, 'version' | 'build' | 'commit'> {
  const line = /^version:\s*(.+)$/m.exec(output);
  if (!line) return { version: null, build: null, commit: null };
  const text = line[1]!.trim();
  const release = /^(\d+)\s*\(([0-9a-f]+)\)/i.exec(text);
  if (release) return { version: `version: ${text}`, build: Number(release[1]), commit: release[2]! };
  const build = /build (\d+)/.exec(text);
  const commit = /commit ([0-9a-f]+)/i.exec(text);
  return { version: `version: ${text}`, build: build ? Number(build[1]) : null, commit: commit ? commit[1]! : null };
}

/** Lines like `  CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 23012 MiB free)` after `Available devices:`. */
export function parseListDevices(output: string): EngineDeviceLine[] {
  const start = output.indexOf('Available devices:');
  if (start < 0) return [];
  const out: EngineDeviceLine[] = [];
  for (const raw of output.slice(start).split('\n').slice(1)) {
    const m = /^\s+([A-Za-z][\w-]*):\s+(.*?)\s*(?:\((\d+) MiB, (\d+) MiB free\))?\s*$/.exec(raw);
    if (!m) continue;
    out.push({ id: m[1]!, name: m[2]!, totalMiB: m[3] ? Number(m[3]) : null, freeMiB: m[4] ? Number(m[4]) : null });
  }
  return out;
}

/** Newer builds document `-lv` as `… 3: info, 4: trace (more info), 5: debug`; older ones make ≥1 debug (prompts). */
export function hasTraceVerbosity(help: string): boolean {
  return /\b4:\s*trace\b/.test(help) && /\b5:\s*debug\b/.test(help);
}
