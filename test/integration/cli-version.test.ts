// `llama-orch --version [--json]`: the plain version for scripts, the full report of parts with --json,
// and a usage error for an unknown option.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AboutInfo } from '../../electron/contract/index.js';
import { CLI, ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; license: string };
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('llama-orch --version', () => {
  const data = tempDir();
  afterAll(() => data.cleanup());

  it('prints just the version without --json', () => {
    const r = cli('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it('reports app, licence and runtime with --json, and no engines in an empty data folder', () => {
    const r = cli('--version', '--json', '--data-dir', data.path);
    expect(r.status).toBe(0);
    const about = JSON.parse(r.stdout) as AboutInfo;
    expect(about).toEqual({
      name: 'llama-orch',
      version: pkg.version,
      license: pkg.license,
      runtime: { node: process.versions.node, electron: null, platform: process.platform, arch: process.arch },
      engines: [],
    });
  });

  it('refuses an unknown option with exit 2 and the usage', () => {
    const r = cli('--version', '--jsn');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--jsn'");
    expect(r.stderr).toContain('llama-orch --version [--json] [--data-dir <dir>]');
  });
});
