// A second launch of the app hands its command line to the running one (single-instance lock) and
// exits. It may arrive while the first is still starting (Electron emits it after 'ready', which is
// before the core listens), so launches are queued until the shell can act on them, never dropped.
// The second instance sends its own argv and cwd as the lock's additionalData: the `argv` Electron
// passes is documented to be reordered and extended by Chromium, and relative paths (`--model
// ./m.gguf`) mean something only against the second instance's working directory.
import { z } from 'zod';
import { modelIdFromPath } from '../core/router/model-router.js';
import type { Logger } from './seam.js';
import { parseStartup } from './startup.js';

export interface LaunchRequest {
  /** Arguments after the executable, as parseStartup takes them. */
  argv: string[];
  cwd: string;
}

const launchSchema = z.object({ argv: z.array(z.string()), cwd: z.string().min(1) });

/** What this process sends to the one holding the lock (requestSingleInstanceLock's additionalData). */
export function launchData(argv: string[], cwd: string): LaunchRequest {
  return { argv, cwd };
}

/** The launch a 'second-instance' event describes: our additionalData when it is there, else Electron's argv. */
export function launchRequest(argv: string[], workingDirectory: string, additionalData: unknown): LaunchRequest {
  const sent = launchSchema.safeParse(additionalData);
  return sent.success ? sent.data : { argv: argv.slice(1), cwd: workingDirectory };
}

export class LaunchQueue {
  private pending: LaunchRequest[] = [];
  private handler: ((launch: LaunchRequest) => void) | null = null;

  receive(launch: LaunchRequest): void {
    if (this.handler) this.handler(launch);
    else this.pending.push(launch);
  }

  /** From now on launches go to `handler`; the ones that came during start-up go first, in order. */
  ready(handler: (launch: LaunchRequest) => void): void {
    this.handler = handler;
    for (const launch of this.pending.splice(0)) handler(launch);
  }
}

/** The part of the core's model router a launch uses. */
export interface LaunchModels {
  ids(): string[];
  add(model: { id: string; path: string }): unknown;
  ensureInstance(id: string): Promise<{ ensureReady(): Promise<unknown> }>;
}

/** Serve the models named by --model; one already served (named again by a second launch) is kept as it is. */
export function startModels(models: LaunchModels, paths: string[], log: Logger): void {
  for (const path of paths) {
    const id = modelIdFromPath(path);
    if (!models.ids().includes(id)) models.add({ id, path });
    void models
      .ensureInstance(id)
      .then((inst) => inst.ensureReady())
      .catch((err: Error) => log.error({ model: id, err: err.message }, 'model failed to start'));
  }
}

export interface LaunchDeps {
  models: LaunchModels;
  env: NodeJS.ProcessEnv;
  /** Whether a tray icon can be seen: without one a `--hidden` launch shows the window anyway. */
  trayShown(): boolean;
  showWindow(): void;
  log: Logger;
}

/** A second launch: serve its models and bring the window to the front, unless it asked for the tray. */
export function handleLaunch(launch: LaunchRequest, deps: LaunchDeps): void {
  let hidden = false;
  try {
    const again = parseStartup(launch.argv, deps.env, launch.cwd);
    startModels(deps.models, again.models, deps.log);
    hidden = again.hidden;
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'a second launch had invalid arguments; showing the window only');
  }
  if (!hidden || !deps.trayShown()) deps.showWindow();
}
