// Running one detection tool: a timeout that also kills the tool's children, and every failure
// (missing, hanging, non-zero exit) turned into a one-line reason instead of an exception.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export const DEFAULT_TOOL_TIMEOUT_MS = 5000;

export type ToolResult = { ok: true; stdout: string } | { ok: false; reason: string };

export interface RunToolOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Run `file args…` and return its stdout, or why it could not be used. Never throws. */
export async function runTool(file: string, args: string[], opts: RunToolOptions = {}): Promise<ToolResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const posix = process.platform !== 'win32';
  // Most machines lack most vendor tools: answering from a PATH look-up saves a fork per absent tool
  // in every cold detection. (Windows keeps the spawn: PATHEXT and App Paths decide there.)
  if (posix && !onPath(file, opts.env ?? process.env)) return { ok: false, reason: `${file} is not installed (not found on PATH)` };
  // POSIX: own process group, so a timeout kills a wrapper script *and* whatever it started (a
  // grandchild holding stdout open would otherwise keep us waiting until it exits by itself).
  // execa is loaded only once a tool is found: it is ~100 modules, and most machines have no tool to run.
  const { execa } = await import('execa');
  const sub = execa(file, args, {
    reject: false,
    stdin: 'ignore',
    detached: posix,
    maxBuffer: 32 * 1024 * 1024,
    ...(posix ? {} : { timeout: timeoutMs }),
    ...(opts.env ? { env: opts.env } : {}),
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (posix && sub.pid !== undefined) {
      try {
        process.kill(-sub.pid, 'SIGKILL');
      } catch {
        sub.kill('SIGKILL');
      }
    }
  }, timeoutMs);
  const r = await sub;
  clearTimeout(timer);
  if (timedOut || r.timedOut) return { ok: false, reason: `${file} timed out after ${timeoutMs} ms` };
  if (r.code === 'ENOENT') return { ok: false, reason: `${file} is not installed (not found on PATH)` };
  if (r.failed) {
    const detail = firstLine(String(r.stderr ?? '')) || firstLine(String(r.stdout ?? '')) || r.shortMessage || 'failed';
    const how = r.exitCode !== undefined ? `exited with code ${r.exitCode}` : r.signal ? `was killed by ${r.signal}` : 'failed';
    return { ok: false, reason: `${file} ${how}: ${detail}` };
  }
  return { ok: true, stdout: String(r.stdout ?? '') };
}

/** Whether `file` names an executable, as a POSIX exec without a shell would find it. */
export function onPath(file: string, env: NodeJS.ProcessEnv): boolean {
  if (env.PATH === undefined && !file.includes('/')) return true; // exec's default search path: let the spawn decide
  const candidates = file.includes('/')
    ? [file]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter((d) => isAbsolute(d))
        .map((d) => join(d, file));
  return candidates.some((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 200);
}
