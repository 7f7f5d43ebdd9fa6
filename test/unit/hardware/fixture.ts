// Reading the captured tool outputs in test/fixtures/hardware/ (see SOURCES.md there).
import { createHook } from 'node:async_hooks';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../../helpers/paths.js';

export const HW_FIXTURES = join(FIXTURES, 'hardware');
export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export function fixture(rel: string): string {
  return readFileSync(join(HW_FIXTURES, rel), 'utf8');
}

export function fixtureFiles(dir: string): string[] {
  return readdirSync(join(HW_FIXTURES, dir)).sort();
}

/** The body of one `# <title>` section of an nvidia_gpu_exporter capture file. */
export function captureSection(capture: string, title: string): string {
  const lines = capture.split('\n');
  const at = lines.findIndex((l) => l === `# ${title}`);
  if (at < 0) throw new Error(`no section '# ${title}'`);
  // header: "# title", "# $ command", "####…"; the body runs until the next "####…" line
  const body: string[] = [];
  for (const line of lines.slice(at + 3)) {
    if (/^#{20,}$/.test(line)) break;
    body.push(line);
  }
  return body.join('\n').trim();
}

/**
 * Run `fn` and name every child process or worker thread started meanwhile (async_hooks sees the
 * process and worker handles being created), to check that a fast path really starts none.
 */
export async function startedDuring<T>(fn: () => Promise<T>): Promise<{ value: T; started: string[] }> {
  const started: string[] = [];
  const hook = createHook({ init: (_id, type) => void (type === 'PROCESSWRAP' || type === 'WORKER' ? started.push(type) : undefined) }).enable();
  try {
    return { value: await fn(), started };
  } finally {
    hook.disable();
  }
}
