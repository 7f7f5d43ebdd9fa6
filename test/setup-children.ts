// After each test file: a serve or engine that the file started and did not stop is killed and named
// on stderr, so one forgotten stop() cannot keep an engine computing beside the next files' tests.
import { afterAll } from 'vitest';
import { liveChildren } from './helpers/children.js';

// Vitest wants the first (fixtures) argument destructured; the file's suite comes second.
// eslint-disable-next-line no-empty-pattern
afterAll(async ({}, suite) => {
  const left = liveChildren();
  if (left.length === 0) return;
  const file = (suite as { file?: { filepath?: string } }).file?.filepath ?? 'a test file';
  for (const { proc, label } of left) {
    process.stderr.write(`[leak] ${file} left ${label} (pid ${proc.pid}) running; killed\n`);
    proc.kill('SIGKILL');
  }
  await Promise.all(left.map(({ proc }) => new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve())))));
});
