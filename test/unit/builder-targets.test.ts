// builder.yml through electron-builder's own target code, short of running the packaging tools: the
// same Packager, platform packagers and targets `electron-builder` creates, asked for what they check
// or write before fpm / makensis / hdiutil run. Catches what schema validation and `--dir` cannot:
// deb/rpm metadata (homepage, maintainer), the update feed macOS needs (a zip), the NSIS shortcut's
// AppUserModelID, and an AppImage name the updater will change.
import { Arch, Platform, type Target } from 'app-builder-lib';
import { AppInfo } from 'app-builder-lib/out/appInfo.js';
import { createElectronFrameworkSupport } from 'app-builder-lib/out/electron/ElectronFramework.js';
import { Packager } from 'app-builder-lib/out/packager.js';
import type { PlatformPackager } from 'app-builder-lib/out/platformPackager.js';
import { getPublishConfigs } from 'app-builder-lib/out/publish/PublishManager.js';
import { createUpdateInfoTasks } from 'app-builder-lib/out/publish/updateInfoBuilder.js';
import { computeArchToTargetNamesMap, createTargets } from 'app-builder-lib/out/targets/targetFactory.js';
import type { UpdateInfo } from 'builder-util-runtime';
import { findFile, resolveFiles } from 'electron-updater/out/providers/Provider.js';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_USER_MODEL_ID } from '../../electron/main/app-identity.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

type AnyPackager = PlatformPackager<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Internals = { _appInfo: AppInfo; _framework: unknown; _repositoryInfo: { value: Promise<unknown> }; metadata: { homepage?: string } };

const out = tempDir('llama-orch-targets-');
afterAll(() => out.cleanup());

/** The Packager as `electron-builder` sets it up before building (config loaded and validated). */
async function loadPackager(): Promise<Packager> {
  const packager = new Packager({ projectDir: ROOT, config: 'builder.yml' });
  await packager.validateConfig();
  const internals = packager as unknown as Internals;
  internals._appInfo = new AppInfo(packager, null);
  internals._framework = await createElectronFrameworkSupport(packager.config, packager);
  return packager;
}

/** The platform packager `electron-builder` builds with (createHelper is internal to Packager). */
function helperFor(p: Packager, platform: Platform): Promise<AnyPackager> {
  return (p as unknown as { createHelper(platform: Platform): Promise<AnyPackager> }).createHelper(platform);
}

/** Targets per arch, from builder.yml's own target list for the platform. */
function targetsOf(helper: AnyPackager, platform: Platform): Map<Arch, Target[]> {
  const byName = new Map<string, Target>();
  const result = new Map<Arch, Target[]>();
  for (const [arch, names] of computeArchToTargetNamesMap(new Map(), helper, platform)) result.set(arch, createTargets(byName, names, out.path, helper));
  return result;
}

type FpmLike = Target & { computeFpmMetaInfoOptions(): Promise<{ name: string; maintainer: string; url: string; vendor: string }> };

let packager: Packager;
beforeAll(async () => {
  packager = await loadPackager();
}, 60_000);

describe('electron-builder targets', () => {
  it('deb and rpm get the metadata fpm requires (homepage, maintainer, vendor)', async () => {
    const linux = await helperFor(packager, Platform.LINUX);
    for (const target of createTargets(new Map(), ['deb', 'rpm'], out.path, linux) as FpmLike[]) {
      const meta = await target.computeFpmMetaInfoOptions();
      expect(meta.url, target.name).toMatch(/^https:\/\//);
      expect(meta.maintainer, target.name).toMatch(/^.+ <.+@.+>$/);
      expect(meta.vendor, target.name).toBeTruthy();
    }
  });

  it('is really checked: without a homepage the same code refuses to build a deb', async () => {
    const bare = await loadPackager();
    const internals = bare as unknown as Internals;
    delete internals.metadata.homepage;
    internals._repositoryInfo.value = Promise.resolve(null);
    const [deb] = createTargets(new Map(), ['deb'], out.path, await helperFor(bare, Platform.LINUX)) as FpmLike[];
    await expect(deb!.computeFpmMetaInfoOptions()).rejects.toThrow(/Please specify project homepage/);
  });

  it('builds AppImage + deb on Linux and NSIS on Windows', async () => {
    const linux = targetsOf(await helperFor(packager, Platform.LINUX), Platform.LINUX);
    expect(
      [...linux.values()]
        .flat()
        .map((t) => t.name)
        .sort(),
    ).toEqual(['appImage', 'deb']);
    const win = targetsOf(await helperFor(packager, Platform.WINDOWS), Platform.WINDOWS);
    expect([...win.entries()].map(([arch, ts]) => [Arch[arch], ts.map((t) => t.name)])).toEqual([['x64', ['nsis']]]);
  });

  it('gives the NSIS shortcuts the AppUserModelID the app sets for its notifications', async () => {
    const win = await helperFor(packager, Platform.WINDOWS);
    // NsisTarget defines APP_ID = appInfo.id, which installer.nsh writes to each shortcut (SetLnkAUMI).
    expect(win.appInfo.id).toBe(APP_USER_MODEL_ID);
  });

  it('builds a dmg and an update zip for each Mac arch, and only the zip feeds the updater', async () => {
    const mac = await helperFor(packager, Platform.MAC);
    const byArch = targetsOf(mac, Platform.MAC);
    expect([...byArch.keys()].map((a) => Arch[a]).sort()).toEqual(['arm64', 'x64']);
    for (const [arch, targets] of byArch) {
      expect(targets.map((t) => t.name).sort(), Arch[arch]).toEqual(['dmg', 'zip']);
      const zip = targets.find((t) => t.name === 'zip') as Target & { isWriteUpdateInfo: boolean };
      expect(zip.isWriteUpdateInfo, 'the zip target writes latest-mac.yml').toBe(true);
    }
  });

  it('writes a macOS feed (latest-mac.yml) in which electron-updater’s MacUpdater finds the zip', async () => {
    const mac = await helperFor(packager, Platform.MAC);
    const zipTarget = targetsOf(mac, Platform.MAC)
      .get(Arch.arm64)!
      .find((t) => t.name === 'zip')!;
    const file = join(out.path, mac.expandArtifactNamePattern(zipTarget.options as never, 'zip', Arch.arm64));
    writeFileSync(file, 'not really a zip');
    const publishConfigs = await getPublishConfigs(mac, mac.platformSpecificBuildOptions, Arch.arm64, false);
    const tasks = await createUpdateInfoTasks({ packager: mac, target: zipTarget, file, arch: Arch.arm64, isWriteUpdateInfo: true } as never, publishConfigs ?? []);
    expect(tasks.map((t) => t.file.split(/[/\\]/).pop())).toEqual(['latest-mac.yml']);
    const info = tasks[0]!.info as UpdateInfo;
    const base = new URL('https://updates.example.com/llama-orch/');
    const chosen = findFile(resolveFiles(info, base), 'zip', ['pkg', 'dmg']);
    expect(chosen?.url.href).toBe(new URL(basename(file), base).href);
    expect(chosen?.url.pathname).toMatch(/\.zip$/);
    // A feed built from the dmg alone is what MacUpdater rejects ("ZIP file not provided").
    const dmgOnly = { ...info, files: [{ url: 'llama-orch-0.1.0-arm64.dmg', sha512: 'x', size: 1 }] };
    expect(findFile(resolveFiles(dmgOnly, base), 'zip', ['pkg', 'dmg'])).toBeFalsy();
  });
});
