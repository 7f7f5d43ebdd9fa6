// `llama-orch --version [--json] [--data-dir <dir>]`: the app version; with --json also the runtime
// and the engine builds installed in the data folder, with their provenance and licences.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { aboutInfo } from '../../core/about.js';
import { dataLayout, defaultDataDir } from '../../core/paths.js';
import { appVersion } from '../../core/version.js';

export const VERSION_USAGE = `llama-orch --version [--json] [--data-dir <dir>]

  --json       the app version and licence, the runtime, and each installed engine build
               (tag, commit, variant, archive sha256, source, licence)
  --data-dir   data folder whose engines are listed (default: ${defaultDataDir()})`;

export function printVersion(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, strict: true });
  if (!values.json) {
    process.stdout.write(`${appVersion()}\n`);
    return 0;
  }
  const layout = dataLayout(resolve(values['data-dir'] ?? defaultDataDir()));
  process.stdout.write(JSON.stringify(aboutInfo(layout.engines), null, 2) + '\n');
  return 0;
}
