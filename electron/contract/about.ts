// What the app reports about its parts: its own version and licence, the runtime, and each installed
// engine build with its provenance and licence (`llama-orch --version --json`, the About section).
import type { EngineLicense } from './engines.js';

/** The app's own licence (SPDX); a test keeps it equal to package.json's. */
export const APP_LICENSE = 'MIT';

export interface AboutEngine {
  id: string;
  tag: string | null;
  /** llama.cpp commit the build states. */
  commit: string | null;
  variant: string | null;
  backend: string | null;
  /** sha256 of the archive it was installed from. */
  digest: string | null;
  /** Where the archive came from (download URL, or the imported file's path). */
  sourceUrl: string | null;
  license: EngineLicense | null;
}

export interface AboutInfo {
  name: string;
  version: string;
  /** SPDX id of the app's own licence. */
  license: string | null;
  runtime: { node: string; electron: string | null; platform: string; arch: string };
  engines: AboutEngine[];
}
