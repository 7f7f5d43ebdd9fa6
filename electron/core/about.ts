// What the app reports about its parts (supply chain): its version and licence, the runtime, and
// every installed engine build with tag, commit, variant, archive digest, source and licence.
import { APP_LICENSE, type AboutEngine, type AboutInfo, type EngineInfo } from '../contract/index.js';
import { listEngines } from './engines/manifest.js';
import { appLicense, appVersion } from './version.js';

export function aboutEngine(e: EngineInfo): AboutEngine {
  return { id: e.id, tag: e.tag, commit: e.commit, variant: e.variant, backend: e.backend, digest: e.digest, sourceUrl: e.source?.archives[0]?.url ?? e.source?.location ?? null, license: e.license };
}

export function aboutInfo(enginesDir: string): AboutInfo {
  return {
    name: 'llama-orch',
    version: appVersion(),
    license: appLicense() ?? APP_LICENSE,
    runtime: { node: process.versions.node, electron: process.versions.electron ?? null, platform: process.platform, arch: process.arch },
    engines: listEngines(enginesDir).map(aboutEngine),
  };
}
