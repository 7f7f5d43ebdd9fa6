// builder.yml, checked by electron-builder's own configuration loader and schema validation (the
// same calls `electron-builder` makes before packaging), plus what the schema cannot know: which
// project files the `files` patterns let into the app, hardening fuses, and that every icon,
// entitlement and licence file it names exists with the right size.
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import type { Configuration } from 'app-builder-lib';
import { DebugLogger } from 'builder-util';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { filePatterns, packagedProjectFiles } from '../helpers/builder-files.js';
import { ROOT } from '../helpers/paths.js';

let config: Configuration;

beforeAll(async () => {
  config = await getConfig(ROOT, 'builder.yml', null);
});

function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(0, 8).toString('hex'), `${file} is a PNG`).toBe('89504e470d0a1a0a');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('builder.yml', () => {
  it('passes electron-builder’s own schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('is really checked: the same validation rejects a misspelt option and a wrong fuse type', async () => {
    const misspelt = { ...config, linux: { ...config.linux, targett: ['AppImage'] } } as Configuration;
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/configuration object that does not match the API schema/);
    const badFuse = { ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } } as unknown as Configuration;
    await expect(validateConfiguration(badFuse, new DebugLogger(false))).rejects.toThrow(/does not match the API schema/);
  });

  it('names the app and builds AppImage + deb, NSIS, and dmg + the update zip', () => {
    expect(config.appId).toBe('org.llama-orch.desktop');
    expect(config.productName).toBe('llama-orch');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.mac?.target).toEqual([
      { target: 'dmg', arch: ['arm64', 'x64'] },
      { target: 'zip', arch: ['arm64', 'x64'] },
    ]);
    // deb needs a maintainer; package.json has no author to derive one from.
    expect(config.linux?.maintainer).toMatch(/<.+@.+>/);
  });

  it('hardens the Electron binary with fuses, and re-signs unsigned Apple Silicon builds ad hoc after flipping them', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
    expect(config.asar).toBe(true);
  });

  it('signs macOS builds with the hardened runtime and minimal entitlements, notarizing from env vars', () => {
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: true, entitlements: 'resources/entitlements.mac.plist', entitlementsInherit: 'resources/entitlements.mac.plist' });
    const plist = readFileSync(join(ROOT, 'resources', 'entitlements.mac.plist'), 'utf8');
    expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>');
    expect(plist).not.toMatch(/disable-library-validation|allow-dyld-environment-variables|device\.camera|device\.audio-input/);
    expect(JSON.stringify(config)).not.toMatch(/APPLE_APP_SPECIFIC_PASSWORD"?\s*:|cscKeyPassword/);
  });

  it('publishes updates through a generic server whose URL is set at build time', () => {
    expect(config.publish).toMatchObject({ provider: 'generic' });
    expect((config.publish as { url: string }).url).toMatch(/^https:\/\/.+\.invalid\//);
  });

  it('packs the compiled app and built UI, and no sources, tests, fixtures, maps, typings or CLI', () => {
    const patterns = filePatterns(config);
    expect(patterns).toContain('!**/*.map');
    const files = packagedProjectFiles(patterns);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string };
    for (const needed of ['package.json', pkg.main, 'dist/electron/preload/index.cjs', 'dist/electron/core/core.js', 'dist/renderer/index.html']) {
      if (existsSync(join(ROOT, needed))) expect(files, needed).toContain(needed);
      else console.warn(`[builder] ${needed} not built yet: run npm run build for the full check`);
    }
    const leaked = files.filter((f) => /^(test|electron|renderer|bench|scripts|resources|bin)\/|\.map$|\.d\.c?ts$|\.tsx?$|tsbuildinfo|^dist\/electron\/cli\//.test(f));
    expect(leaked).toEqual([]);
    expect(files.some((f) => f.includes('fixtures'))).toBe(false);
  });

  it('points every icon, licence and extra resource at a file that exists', () => {
    for (const path of [config.linux?.icon, config.win?.icon, config.mac?.icon, config.nsis?.license, config.mac?.entitlements]) {
      expect(path && existsSync(join(ROOT, path)), String(path)).toBe(true);
    }
    for (const r of config.extraResources as { from: string }[]) expect(existsSync(join(ROOT, r.from)), r.from).toBe(true);
  });
});

describe('icons', () => {
  it('has a 1024 px master for the .icns and .ico electron-builder generates', () => {
    expect(pngSize(join(ROOT, 'resources', 'icon.png'))).toEqual({ width: 1024, height: 1024 });
  });

  it('has every Linux size, each as large as its name says', () => {
    for (const s of [16, 24, 32, 48, 64, 128, 256, 512]) expect(pngSize(join(ROOT, 'resources', 'icons', `${s}x${s}.png`))).toEqual({ width: s, height: s });
  });

  it('has a tray icon per status at 1x and 2x, and a macOS template image', () => {
    for (const name of ['tray-serving', 'tray-idle', 'tray-error', 'trayTemplate']) {
      expect(pngSize(join(ROOT, 'resources', 'tray', `${name}.png`))).toEqual({ width: 16, height: 16 });
      expect(pngSize(join(ROOT, 'resources', 'tray', `${name}@2x.png`))).toEqual({ width: 32, height: 32 });
    }
  });
});

describe('licences and service template', () => {
  it('ships the MIT licence and llama.cpp’s notice', () => {
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(readFileSync(join(ROOT, 'resources', 'LICENSE.txt'), 'utf8')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
    const notices = readFileSync(join(ROOT, 'resources', 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    expect(notices).toMatch(/llama\.cpp[\s\S]*MIT License[\s\S]*The ggml authors/);
  });

  it('has a systemd unit that runs `llama-orch serve` with a pinned data dir and stops engines with SIGTERM', () => {
    const unit = readFileSync(join(ROOT, 'resources', 'llama-orch.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=.*llama-orch(\.js)? serve\b/m);
    expect(unit).toMatch(/^Environment=LLAMA_ORCH_DATA_DIR=\//m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
    for (const section of ['[Unit]', '[Service]', '[Install]']) expect(unit).toContain(section);
  });

  it('runs the command a global install of the tarball puts on the PATH, and the package ships what it needs', () => {
    const unit = readFileSync(join(ROOT, 'resources', 'llama-orch.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/llama-orch serve /m); // not a checkout's bin/llama-orch.js
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin['llama-orch']).toBe('bin/llama-orch.js');
    for (const f of ['bin/', 'dist/renderer/', 'dist/electron/**/*.js', 'resources/llama-orch.service']) expect(pkg.files).toContain(f);
  });
});
