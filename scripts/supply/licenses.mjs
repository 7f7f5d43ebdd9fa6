#!/usr/bin/env node
// Licence inventory of what the app ships: every production npm package in the lockfile with its
// licence, checked against licenses-allow.json. A licence outside the allow-list (copyleft, or none
// declared) fails with the package named, unless an exception with a reason names that exact version.
//   node scripts/supply/licenses.mjs [--lockfile package-lock.json] [--allow licenses-allow.json] [--json] [--out file]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import satisfies from 'spdx-satisfies';

const { values } = parseArgs({
  options: { lockfile: { type: 'string', default: 'package-lock.json' }, allow: { type: 'string', default: 'licenses-allow.json' }, json: { type: 'boolean' }, out: { type: 'string' } },
});

/** The licence a package declares: lockfile first, then its package.json (old `licenses: [{type}]` too). */
function declaredLicense(root, path, entry) {
  if (typeof entry.license === 'string') return entry.license;
  const pkgPath = join(root, path, 'package.json');
  if (!existsSync(pkgPath)) return null;
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license?.type) return pkg.license.type;
  if (Array.isArray(pkg.licenses) && pkg.licenses.length > 0) return pkg.licenses.map((l) => l.type ?? l).join(' OR ');
  return null;
}

/**
 * Production packages only: what `npm ci --omit=dev` (and so electron-builder) puts in the app.
 * `devOptional` ones stay: they are optional dependencies of a shipped package as well.
 */
function inventory(lockfilePath) {
  const lock = JSON.parse(readFileSync(lockfilePath, 'utf8'));
  if (!lock.packages) throw new Error(`${lockfilePath}: lockfileVersion ${lock.lockfileVersion} has no "packages" map; regenerate it with npm 7 or newer`);
  const root = dirname(resolve(lockfilePath));
  const out = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev || entry.link) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    out.push({ name, version: entry.version ?? null, license: declaredLicense(root, path, entry), path });
  }
  return {
    app: { name: lock.name, version: lock.version, license: lock.packages['']?.license ?? null },
    packages: out.sort((a, b) => a.name.localeCompare(b.name) || String(a.version).localeCompare(String(b.version))),
  };
}

/** Why a package fails the allow-list, or null when it passes. */
function verdict(pkg, allow) {
  const exception = (allow.exceptions ?? []).find((e) => e.package === `${pkg.name}@${pkg.version}`);
  if (exception) return exception.reason ? null : `exception for ${exception.package} has no reason`;
  if (!pkg.license) return 'no licence declared (unknown licence)';
  try {
    if (satisfies(pkg.license, allow.allowed)) return null;
  } catch {
    return `licence '${pkg.license}' is not a valid SPDX expression`;
  }
  return `licence '${pkg.license}' is not in the allow-list`;
}

function main() {
  const allow = JSON.parse(readFileSync(values.allow, 'utf8'));
  const inv = inventory(values.lockfile);
  const failures = inv.packages.map((p) => ({ ...p, problem: verdict(p, allow) })).filter((p) => p.problem);
  const counts = {};
  for (const p of inv.packages) counts[p.license ?? 'UNKNOWN'] = (counts[p.license ?? 'UNKNOWN'] ?? 0) + 1;
  const report = { ...inv, counts, failures: failures.map(({ name, version, license, problem }) => ({ name, version, license, problem })) };
  if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n');
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    process.stdout.write(`licences: ${inv.app.name} ${inv.app.version} (${inv.app.license}) ships ${inv.packages.length} npm packages\n`);
    for (const [license, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${String(n).padStart(4)}  ${license}\n`);
  }
  for (const f of failures) process.stderr.write(`licences: ${f.name}@${f.version} (${f.path}): ${f.problem} (${values.allow})\n`);
  if (failures.length > 0) process.stderr.write(`licences: ${failures.length} package(s) fail the allow-list; replace them, or add an exception with a reason to ${values.allow}\n`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = main();
