// builder.linux.yml: the Linux installers (deb, AppImage) carry the headless CLI. Checked with
// electron-builder's own loader and schema (Electron cannot be packaged or run here): the CLI and its
// entry are packed, the launcher is shipped and on the deb's PATH, runAsNode is on in this build only,
// and the launcher itself, run for real against a stand-in app folder (node as the app binary, this
// checkout as app.asar), starts the real CLI.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Configuration } from 'app-builder-lib';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filePatterns, packagedProjectFiles } from '../helpers/builder-files.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const LAUNCHER = join(ROOT, 'resources', 'bin', 'llama-orch-cli');
let linux: Configuration;
let base: Configuration;

beforeAll(async () => {
  [linux, base] = await Promise.all([getConfig(ROOT, 'builder.linux.yml', null), getConfig(ROOT, 'builder.yml', null)]);
});

describe('builder.linux.yml', () => {
  it('extends builder.yml and passes electron-builder’s schema validation', async () => {
    await expect(validateConfiguration(linux, new DebugLogger(false))).resolves.toBeUndefined();
    expect(linux.appId).toBe(base.appId);
    expect(linux.linux?.target).toEqual(['AppImage', 'deb']);
  });

  it('turns runAsNode on for the Linux build only, every other fuse as in builder.yml', () => {
    expect(base.electronFuses?.runAsNode).toBe(false);
    expect(linux.electronFuses).toEqual({ ...base.electronFuses, runAsNode: true });
  });

  it('packs the CLI and its entry, still without sources, tests, maps or typings', () => {
    const files = packagedProjectFiles(filePatterns(linux));
    expect(files).toContain('bin/llama-orch.js');
    if (existsSync(join(ROOT, 'dist/electron/cli/main.js'))) expect(files).toContain('dist/electron/cli/main.js');
    else console.warn('[builder-linux] dist not built: run npm run build for the full check');
    const leaked = files.filter((f) => /^(test|electron|renderer|bench|scripts|resources)\/|^bin\/(?!llama-orch\.js$)|\.map$|\.d\.c?ts$|\.tsx?$|tsbuildinfo|fixtures/.test(f));
    expect(leaked).toEqual([]);
    expect(packagedProjectFiles(filePatterns(base)).filter((f) => f.startsWith('bin/') || f.startsWith('dist/electron/cli/'))).toEqual([]);
  });

  it('ships the launcher beside the app (AppImage and deb) and on the deb’s PATH', () => {
    expect(linux.extraResources).toContainEqual({ from: 'resources/bin/llama-orch-cli', to: 'bin/llama-orch-cli' });
    expect(linux.deb?.fpm).toEqual(['resources/bin/llama-orch-cli=/usr/bin/llama-orch-cli']);
    expect(statSync(LAUNCHER).mode & 0o111).toBe(0o111);
    expect(readFileSync(LAUNCHER, 'utf8')).toMatch(/^#!\/bin\/sh\n/);
  });
});

describe.skipIf(process.platform === 'win32')('the llama-orch-cli launcher', () => {
  const app = tempDir('llama-orch-app-');
  beforeAll(() => {
    // <app>/llama-orch is the app binary (node stands in for Electron run as Node), <app>/resources/app.asar the app.
    mkdirSync(join(app.path, 'resources', 'bin'), { recursive: true });
    symlinkSync(process.execPath, join(app.path, 'llama-orch'));
    symlinkSync(ROOT, join(app.path, 'resources', 'app.asar'));
    copyFileSync(LAUNCHER, join(app.path, 'resources', 'bin', 'llama-orch-cli'));
  });
  afterAll(() => app.cleanup());

  it('runs the app’s own CLI headless with ELECTRON_RUN_AS_NODE, passing the arguments through', () => {
    if (!existsSync(join(ROOT, 'dist/electron/cli/main.js'))) return console.warn('[builder-linux] dist not built: launcher run skipped');
    const r = spawnSync(join(app.path, 'resources', 'bin', 'llama-orch-cli'), ['--version'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(version);
  });

  it('starts the app binary as plain Node (ELECTRON_RUN_AS_NODE=1) on the CLI entry inside app.asar', () => {
    const probe = tempDir('llama-orch-probe-');
    try {
      mkdirSync(join(probe.path, 'resources', 'bin'), { recursive: true });
      writeFileSync(join(probe.path, 'llama-orch'), '#!/bin/sh\necho "run-as-node=$ELECTRON_RUN_AS_NODE"; for a in "$@"; do echo "arg=$a"; done\n', { mode: 0o755 });
      copyFileSync(LAUNCHER, join(probe.path, 'resources', 'bin', 'llama-orch-cli'));
      const r = spawnSync(join(probe.path, 'resources', 'bin', 'llama-orch-cli'), ['kit', 'import', '/media/usb stick/kit'], { encoding: 'utf8' });
      expect(r.stdout.trim().split('\n')).toEqual(['run-as-node=1', `arg=${join(probe.path, 'resources', 'app.asar', 'bin', 'llama-orch.js')}`, 'arg=kit', 'arg=import', 'arg=/media/usb stick/kit']);
    } finally {
      probe.cleanup();
    }
  });

  it('copied elsewhere (the deb’s /usr/bin copy) it looks for the app under /opt/llama-orch', () => {
    const elsewhere = join(app.path, 'usr-bin');
    mkdirSync(elsewhere);
    copyFileSync(LAUNCHER, join(elsewhere, 'llama-orch-cli'));
    const r = spawnSync(join(elsewhere, 'llama-orch-cli'), ['--version'], { encoding: 'utf8' });
    if (existsSync('/opt/llama-orch/llama-orch')) return; // a real install here: it would run that one
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('/opt/llama-orch/llama-orch');
  });
});
