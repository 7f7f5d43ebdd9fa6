// On Windows a child process started without `windowsHide` flashes a console window (every engine
// `--version` probe, every hardware poll). execa hides it by default; node:child_process does not,
// so each of its calls in the core must say so. A scan of the sources keeps it that way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = join(__dirname, '..', '..', '..', 'electron', 'core');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('child processes of the core', () => {
  it('every node:child_process call passes windowsHide: true', () => {
    const offenders: string[] = [];
    for (const file of sources(CORE)) {
      const text = readFileSync(file, 'utf8');
      if (!/from 'node:child_process'/.test(text)) continue;
      for (const m of text.matchAll(/\b(execFileSync|execFile|spawnSync|spawn|execSync|exec|fork)\(([^;]*)/g)) {
        if (!/windowsHide:\s*true/.test(m[2]!)) offenders.push(`${file.slice(CORE.length + 1)}: ${m[0].slice(0, 80)}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('execa (used everywhere else) hides the console window by default', () => {
    const options = readFileSync(join(__dirname, '..', '..', '..', 'node_modules', 'execa', 'lib', 'arguments', 'options.js'), 'utf8');
    expect(options).toMatch(/windowsHide = true/);
  });
});
