// `engine.json` beside each installed engine: where it came from and what its self-test said.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ENGINE_MANIFEST_SCHEMA_VERSION, type EngineInfo, type EngineManifest } from '../../contract/index.js';
import { installedEngineBinaries } from './locate.js';

export const MANIFEST_FILE = 'engine.json';

export function readManifest(dir: string): EngineManifest | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as EngineManifest;
    return m.schemaVersion === ENGINE_MANIFEST_SCHEMA_VERSION ? m : null;
  } catch {
    return null;
  }
}

export function writeManifest(dir: string, manifest: EngineManifest): void {
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

export function binaryRelative(dir: string, binary: string): string {
  return relative(dir, binary);
}

/** Every installed engine, newest first; engines copied in by hand (no manifest) are listed too. */
export function listEngines(enginesDir: string, inUse: (binary: string) => string[] = () => []): EngineInfo[] {
  return installedEngineBinaries(enginesDir).map(({ id, binary }) => engineInfo(enginesDir, id, binary, inUse));
}

export function engineInfo(enginesDir: string, id: string, binary: string, inUse: (binary: string) => string[] = () => []): EngineInfo {
  const dir = join(enginesDir, id);
  const m = readManifest(dir);
  return {
    id,
    dir,
    binary,
    tag: m?.tag ?? null,
    variant: m?.variant ?? null,
    backend: m?.backend ?? null,
    installedAt: m?.installedAt ?? null,
    version: m?.selfTest.version ?? null,
    commit: m?.selfTest.commit ?? null,
    source: m?.source ?? null,
    digest: m?.source.archives[0]?.sha256 ?? null,
    license: m?.license ?? null,
    devices: m?.selfTest.devices ?? [],
    inUseBy: inUse(binary),
  };
}
