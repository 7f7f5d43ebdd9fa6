// node:sqlite, loaded without its one-time "experimental" warning on stderr: the CLI's output (and
// the tests that read it) stay clean. Any other warning passes through unchanged.
import { createRequire } from 'node:module';
import type * as Sqlite from 'node:sqlite';

const require = createRequire(import.meta.url);

function load(): typeof Sqlite {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning instanceof Error ? warning.message : warning).includes('SQLite is an experimental')) return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return require('node:sqlite') as typeof Sqlite;
  } finally {
    process.emitWarning = emit;
  }
}

export const { DatabaseSync } = load();
export type Database = Sqlite.DatabaseSync;
export type Statement = Sqlite.StatementSync;
