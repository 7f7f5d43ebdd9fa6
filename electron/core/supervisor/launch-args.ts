// Arguments the supervisor adds to every engine launch. Today: the log verbosity at which llama.cpp
// prints its memory buffers (`… model buffer size = …`), but only for builds whose scale makes that
// level a prompt-free "trace" level; on older builds the same number enables debug output that
// contains prompt tokens, which must never be logged.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { MANIFEST_FILE, readManifest } from '../engines/manifest.js';
import { engineEnv, hasTraceVerbosity } from '../engines/self-test.js';

const VERBOSITY_FLAGS = new Set(['-lv', '--verbosity', '--log-verbosity', '-v', '--verbose', '--log-verbose', '--log-disable']);
const cache = new Map<string, Promise<boolean>>();

export async function factsLaunchArgs(enginePath: string, planArgs: string[]): Promise<string[]> {
  if (planArgs.some((a) => VERBOSITY_FLAGS.has(a))) return []; // the plan decided
  return (await traceVerbosity(enginePath)) ? ['--log-verbosity', '4'] : [];
}

/** From the engine's manifest when it has one, else from its `--help` (once per binary per process). */
export function traceVerbosity(enginePath: string): Promise<boolean> {
  let known = cache.get(enginePath);
  if (!known) {
    known = fromManifest(enginePath) ?? fromHelp(enginePath);
    cache.set(enginePath, known);
  }
  return known;
}

function fromManifest(enginePath: string): Promise<boolean> | null {
  let dir = dirname(enginePath);
  for (let i = 0; i < 3; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, MANIFEST_FILE))) {
      const m = readManifest(dir);
      return m ? Promise.resolve(m.selfTest.traceVerbosity) : null;
    }
  }
  return null;
}

async function fromHelp(enginePath: string): Promise<boolean> {
  const r = await execa(enginePath, ['--help'], { reject: false, all: true, timeout: 10_000, env: engineEnv(enginePath), stdin: 'ignore' });
  return r.exitCode === 0 && hasTraceVerbosity((r.all ?? '').toString());
}

const CACHE_RAM_FLAGS = new Set(['--cache-ram', '-cram']);
const helps = new Map<string, Promise<string>>();

/**
 * `--cache-ram <MiB>`: llama-server's prompt cache in RAM grows to 8 GiB by default; we bound it
 * (setting `engines.cacheRamMiB`, counted in the planner's host-RAM budget). Builds without the flag
 * get nothing; a plan that sets it itself wins.
 */
export async function cacheRamLaunchArgs(enginePath: string, planArgs: string[], mib: number): Promise<string[]> {
  if (planArgs.some((a) => CACHE_RAM_FLAGS.has(a))) return [];
  let help = helps.get(enginePath);
  if (!help) {
    help = execa(enginePath, ['--help'], { reject: false, all: true, timeout: 10_000, env: engineEnv(enginePath), stdin: 'ignore' }).then((r) => (r.all ?? '').toString());
    helps.set(enginePath, help);
  }
  return (await help).includes('--cache-ram') ? ['--cache-ram', String(mib)] : [];
}
