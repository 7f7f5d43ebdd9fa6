#!/usr/bin/env node
// CycloneDX SBOM of the app as packaged: production dependencies only, from the lockfile and the
// installed tree, made by @cyclonedx/cyclonedx-npm (which also validates it against the schema).
//   node scripts/supply/sbom.mjs [--out dist/sbom.cdx.json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string', default: join('dist', 'sbom.cdx.json') } } });
const out = resolve(values.out);
const require = createRequire(import.meta.url);
const bin = toolBin('@cyclonedx/cyclonedx-npm', 'cyclonedx-npm');

/** The tool's own bin script (its package.json is not exported, so walk up from its main module). */
function toolBin(name, command) {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === name) return join(dir, JSON.parse(readFileSync(pkg, 'utf8')).bin[command]);
  }
  throw new Error(`${name} is not installed; run npm ci`);
}

mkdirSync(dirname(out), { recursive: true });
const args = [bin, '--omit', 'dev', '--spec-version', '1.6', '--output-format', 'JSON', '--validate', '--output-file', out, 'package.json'];
const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  process.stderr.write(`sbom: cyclonedx-npm failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}); no SBOM written\n`);
  process.exit(1);
}
const bom = JSON.parse(readFileSync(out, 'utf8'));
const count = (list) => (list ?? []).reduce((n, c) => n + 1 + count(c.components), 0);
process.stdout.write(`sbom: CycloneDX ${bom.specVersion}, ${bom.metadata?.component?.name} ${bom.metadata?.component?.version}, ${count(bom.components)} components → ${out}\n`);
