#!/usr/bin/env node
// `npm run bench -- <name> [args…]`: builds the app, then runs bench/<name>.ts with Node's type
// stripping. Benchmarks import the built code from dist/ (what users run) and their helpers from
// bench/lib/*.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none)'}\n`);
  process.exit(name ? 2 : 0);
}
execFileSync('npx', ['tsc', '-b', 'tsconfig.node.json'], { cwd: root, stdio: 'inherit' });
execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' }); // the UI bench must measure this tree's UI
const r = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', join(root, 'bench', `${name}.ts`), ...rest], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
