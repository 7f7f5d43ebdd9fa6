// The app's version and licence, read once from package.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './util/package-root.js';

let cached: { version: string; license: string | null } | null = null;

function appPackage(): { version: string; license: string | null } {
  if (cached === null) {
    try {
      const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string; license?: string };
      cached = { version: pkg.version ?? '0.0.0', license: pkg.license ?? null };
    } catch {
      cached = { version: '0.0.0', license: null };
    }
  }
  return cached;
}

export function appVersion(): string {
  return appPackage().version;
}

export function appLicense(): string | null {
  return appPackage().license;
}
