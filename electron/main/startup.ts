// What the desktop app was launched with. Mirrors `llama-orch serve` where it makes sense
// (--model, --engine, --data-dir, --port), plus --hidden for starting in the tray (open at login).
// Unknown switches are Chromium's or Electron's own and are left alone.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../core/paths.js';
import { HIDDEN_FLAG } from './login-item.js';

export interface StartupOptions {
  dataDir: string;
  /** --port or LLAMA_ORCH_PORT; undefined: the port in the core's settings (8585 by default). */
  port: number | undefined;
  models: string[];
  enginePath: string | null;
  hidden: boolean;
}

export class StartupError extends Error {}

function parsePort(raw: string | undefined, source: string): number | null {
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new StartupError(`${source}: port must be an integer from 0 to 65535, got "${raw}"`);
  return n;
}

/** `cwd`: what relative paths are relative to (a second launch's own working directory). */
export function parseStartup(argv: string[], env: NodeJS.ProcessEnv, cwd: string = process.cwd()): StartupOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', multiple: true },
      engine: { type: 'string' },
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      hidden: { type: 'boolean' },
    },
    strict: false,
    allowPositionals: true,
  });
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const models = (Array.isArray(values.model) ? values.model : []).filter((m): m is string => typeof m === 'string').map((m) => resolve(cwd, m));
  const engine = str(values.engine);
  const dataDir = str(values['data-dir']);
  return {
    dataDir: resolve(cwd, dataDir ?? defaultDataDir(env)),
    port: parsePort(str(values.port), '--port') ?? parsePort(env.LLAMA_ORCH_PORT, 'LLAMA_ORCH_PORT') ?? undefined,
    models,
    enginePath: engine ? resolve(cwd, engine) : null,
    hidden: values.hidden === true || argv.includes(HIDDEN_FLAG),
  };
}
