// The licence inventory: every production package of the lockfile with its licence, checked
// against licenses-allow.json; the real lockfile must pass, a copyleft or unknown licence must not.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/tmp.js';
import { runScript } from './run-script.js';

const COPYLEFT_LOCK = join(FIXTURES, 'supply', 'package-lock-copyleft.json');
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

interface Report {
  app: { name: string; license: string };
  packages: { name: string; version: string; license: string | null }[];
  counts: Record<string, number>;
  failures: { name: string; problem: string }[];
}

describe('licence inventory of this project', () => {
  it('lists every shipped npm package with a licence on the allow-list, and no dev-only package', () => {
    const r = runScript('licenses.mjs', ['--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.app).toMatchObject({ name: 'llama-orch', license: 'MIT' });
    const names = new Set(report.packages.map((p) => p.name));
    for (const dep of ['zod', 'execa', 'prom-client', '@huggingface/gguf', 'electron-updater']) expect(names).toContain(dep);
    for (const dev of ['vitest', 'electron', 'typescript', '@cyclonedx/cyclonedx-npm']) expect(names).not.toContain(dev);
    expect(report.packages.every((p) => p.license)).toBe(true);
    expect(report.failures).toEqual([]);
  });
});

describe('licence allow-list check', () => {
  it('fails naming each package with a copyleft or unknown licence, and passes an OR with an allowed side', () => {
    const r = runScript('licenses.mjs', ['--lockfile', COPYLEFT_LOCK, '--allow', join(ROOT, 'licenses-allow.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("gpl-lib@2.0.1 (node_modules/gpl-lib): licence 'GPL-3.0-only' is not in the allow-list");
    expect(r.stderr).toContain('mystery-lib@0.9.0 (node_modules/mystery-lib): no licence declared (unknown licence)');
    expect(r.stderr).not.toContain('dual-lib'); // GPL-2.0-only OR Apache-2.0: Apache-2.0 may be chosen
    // devOptional: optional for a shipped package too, so it ships; a dev-only one does not.
    expect(r.stderr).toContain("lgpl-optional@3.1.0 (node_modules/lgpl-optional): licence 'LGPL-3.0-only' is not in the allow-list");
    expect(r.stderr).not.toContain('agpl-dev-tool');
    expect(r.stderr).toContain('3 package(s) fail the allow-list');
  });

  it('lets an exception with a reason for the exact version through, and no other version', () => {
    const d = tempDir();
    dirs.push(d);
    const allow = join(d.path, 'allow.json');
    const exceptions = [
      { package: 'gpl-lib@2.0.1', license: 'GPL-3.0-only', reason: 'build-time tool only, its output carries no GPL code' },
      { package: 'mystery-lib@0.8.0', license: 'UNKNOWN', reason: 'checked by hand: MIT in the source header' },
    ];
    writeFileSync(allow, JSON.stringify({ allowed: ['MIT', 'Apache-2.0'], exceptions }));
    const r = runScript('licenses.mjs', ['--lockfile', COPYLEFT_LOCK, '--allow', allow, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.failures.map((f) => f.name)).toEqual(['lgpl-optional', 'mystery-lib']);
    expect(report.counts).toMatchObject({ MIT: 1, 'GPL-3.0-only': 1, 'LGPL-3.0-only': 1, UNKNOWN: 1 });
  });
});
