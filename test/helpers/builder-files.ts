// The project files (not node_modules) an electron-builder `files` list lets into the app, with its
// order semantics (a later pattern overrides an earlier one), for the packaging config tests.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Configuration } from 'app-builder-lib';
import { minimatch } from 'minimatch';
import { ROOT } from './paths.js';

export function packagedProjectFiles(patterns: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (['node_modules', '.git', 'release'].includes(name) && dir === ROOT) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(ROOT, full).split(sep).join('/'));
    }
  };
  walk(ROOT);
  return out.filter((file) => {
    let included = false;
    for (const p of patterns) {
      const negated = p.startsWith('!');
      if (minimatch(file, negated ? p.slice(1) : p, { dot: true })) included = !negated;
    }
    return included;
  });
}

/** The loader normalizes `files` into file sets ({ filter: [...] }), as electron-builder uses them. */
export function filePatterns(config: Configuration): string[] {
  return (config.files as (string | { filter?: string[] })[]).flatMap((f) => (typeof f === 'string' ? [f] : (f.filter ?? [])));
}
