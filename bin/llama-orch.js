#!/usr/bin/env node
// Entry point of the `llama-orch` command. The TypeScript sources are compiled to dist/ by
// `npm run build` (run automatically by `npm ci` / `npm install` through `prepare`).
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`llama-orch needs Node.js >= 22.12 (this is ${process.version}).\n`);
  process.exit(1);
}
const entry = new URL('../dist/electron/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('llama-orch is not built yet: run `npm run build` in the project folder.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
