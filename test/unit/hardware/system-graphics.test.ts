// The systeminformation GPU fallback runs in a worker thread, never by re-executing the app binary:
// in the packaged app process.execPath is Electron with the runAsNode fuse off, so a child started
// with ELECTRON_RUN_AS_NODE=1 would be a second llama-orch. Checked three ways: the source of the
// core, a stand-in "app binary" that records being started, and a hung tool that must not hang us.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { detectSystemGraphics } from '../../../electron/core/hardware/system.js';
import { ROOT } from '../../helpers/paths.js';
import { isAlive, waitFor } from '../../helpers/processes.js';
import { tempDir } from '../../helpers/tmp.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.[cm]?ts$/.test(name) ? [full] : [];
  });
}

const realExecPath = process.execPath;
afterEach(() => Object.defineProperty(process, 'execPath', { value: realExecPath }));

describe('system GPU fallback', () => {
  it('no core code re-executes the app binary while the runAsNode fuse is off', async () => {
    const config = await getConfig(ROOT, 'builder.yml', null);
    expect(config.electronFuses?.runAsNode).toBe(false);
    const hits = sourceFiles(join(ROOT, 'electron', 'core')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(ROOT, file)}:${i + 1}` }))
        .filter(({ line }) => /process\.execPath|ELECTRON_RUN_AS_NODE/.test(line) && !/^\s*(\/\/|\*)/.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(hits).toEqual([]);
  });

  it('answers without starting process.execPath (the app binary in a packaged app)', async () => {
    const dir = tempDir();
    try {
      const marker = join(dir.path, 'second-app-started');
      const fakeApp = join(dir.path, 'llama-orch');
      writeFileSync(fakeApp, `#!/bin/sh\ntouch '${marker}'\n`);
      chmodSync(fakeApp, 0o755);
      Object.defineProperty(process, 'execPath', { value: fakeApp });
      const outcome = await detectSystemGraphics(20_000);
      expect(outcome.warnings).toEqual([]);
      expect(outcome).toMatchObject({ source: 'systeminformation', answered: true });
      expect(Array.isArray(outcome.gpus)).toBe(true);
      expect(existsSync(marker)).toBe(false);
    } finally {
      dir.cleanup();
    }
  }, 30_000);

  it.runIf(process.platform === 'linux')(
    'gives up on a hung tool within its timeout and kills the tool',
    async () => {
      const dir = tempDir();
      try {
        const pidFile = join(dir.path, 'lspci.pid');
        // systeminformation runs `lspci -vvv` on Linux; this one hangs like a wedged driver would.
        writeFileSync(join(dir.path, 'lspci'), `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 120\n`);
        chmodSync(join(dir.path, 'lspci'), 0o755);
        const started = Date.now();
        const outcome = await detectSystemGraphics(1_500, { ...process.env, PATH: `${dir.path}:${process.env.PATH ?? ''}` });
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(outcome.source).toBe('systeminformation');
        const pid = Number(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(), 'the fake lspci to have run'));
        await waitFor(() => !isAlive(pid), 'the hung tool to be killed', 15_000);
      } finally {
        dir.cleanup();
      }
    },
    40_000,
  );
});
