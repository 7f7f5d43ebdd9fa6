// `electron-builder --dir` with builder.yml: packs the app for this platform (no installer) and checks
// what ended up inside: the asar holds the compiled app and UI and nothing from the source tree, the
// icons, licences and service template sit beside it, and the fuses are flipped in the binary.
// Needs an Electron binary (never downloaded by tests); skipped with the reason where there is none.
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { listPackage } from '@electron/asar';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';
import { findElectronDist } from './main/electron-dist.js';

// Fuse states as stored in the binary (@electron/fuses' FuseState, not exported from its index).
const FuseState = { DISABLE: '0'.charCodeAt(0), ENABLE: '1'.charCodeAt(0) } as const;

const dist = findElectronDist();
if (!dist.ok) console.warn(`[builder --dir] skipped: ${dist.reason}`);

function findFile(dir: string, name: string): string | null {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (entry === name) return full;
    if (statSync(full).isDirectory() && !entry.endsWith('.asar.unpacked')) {
      const hit = findFile(full, name);
      if (hit) return hit;
    }
  }
  return null;
}

describe.skipIf(!dist.ok)('electron-builder --dir', () => {
  let out: ReturnType<typeof tempDir>;
  beforeAll(() => {
    out = tempDir('llama-orch-pack-');
  });
  afterAll(() => out?.cleanup());

  it('packs the app with only what runs, resources beside the asar, and fuses flipped', async () => {
    if (!dist.ok) return;
    for (const f of ['dist/electron/main/index.js', 'dist/electron/preload/index.cjs', 'dist/renderer/index.html']) {
      expect(existsSync(join(ROOT, f)), `${f} (run npm run build first)`).toBe(true);
    }
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules', 'electron-builder', 'cli.js'), '--config', 'builder.yml', '--dir', '--publish', 'never', `-c.electronDist=${dist.dir}`, `-c.directories.output=${out.path}`],
      { cwd: ROOT, env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' }, maxBuffer: 64 * 1024 * 1024 },
    );

    const asar = findFile(out.path, 'app.asar');
    expect(asar, 'app.asar in the output').not.toBeNull();
    const entries = listPackage(asar!, { isPack: false }).map((e) => e.replaceAll('\\', '/'));
    for (const needed of ['/package.json', '/dist/electron/main/index.js', '/dist/electron/preload/index.cjs', '/dist/electron/core/core.js', '/dist/renderer/index.html']) {
      expect(entries, needed).toContain(needed);
    }
    const leaked = entries.filter((e) => /\.map$|\.d\.c?ts$|^\/(test|electron|renderer|bench|scripts|resources|bin)\/|^\/dist\/electron\/cli\/|fixtures|\.gguf$/.test(e));
    expect(leaked).toEqual([]);

    const resources = join(asar!, '..');
    for (const f of ['tray/tray-serving.png', 'tray/trayTemplate@2x.png', 'icons/256x256.png', 'LICENSE.txt', 'THIRD-PARTY-NOTICES.txt', 'llama-orch.service']) {
      expect(existsSync(join(resources, f)), f).toBe(true);
    }
    // The updater's feed file (written for Linux even by --dir; for macOS/Windows only with dmg/nsis).
    if (process.platform === 'linux') expect(existsSync(join(resources, 'app-update.yml'))).toBe(true);

    const exe = process.platform === 'darwin' ? join(resources, '..', 'MacOS', 'llama-orch') : join(resources, '..', process.platform === 'win32' ? 'llama-orch.exe' : 'llama-orch');
    const wire = await getCurrentFuseWire(exe);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
  }, 300_000);
});
