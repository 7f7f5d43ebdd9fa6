// Windows has no file modes: `mode: 0o600` on keys.json, the engines' key files and settings.json
// (the hub token) does nothing there. Inside the user's profile the folder's ACL already limits them
// to the user; a data folder elsewhere (`--data-dir D:\llama-orch`) inherits the drive's ACL, which
// lets every local user read. Such a folder is restricted to the user (plus SYSTEM and
// Administrators, as a profile is) before anything is written, or the start is refused.
import { existsSync, writeFileSync } from 'node:fs';
import { win32 } from 'node:path';
import { runTool, type ToolRunner } from './process-table.js';

const MARKER = '.acl-restricted';
const SYSTEM = '*S-1-5-18';
const ADMINISTRATORS = '*S-1-5-32-544';

export interface AclDeps {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  run?: ToolRunner;
  exists?: (path: string) => boolean;
  mark?: (path: string) => void;
}

/** Restrict `dir` to this user on Windows when it lies outside the profile; a no-op otherwise. */
export async function restrictDataDir(dir: string, deps: AclDeps = {}): Promise<'restricted' | 'unchanged'> {
  const platform = deps.platform ?? process.platform;
  const env = deps.env ?? process.env;
  if (platform !== 'win32' || insideProfile(dir, env)) return 'unchanged';
  const exists = deps.exists ?? existsSync;
  if (exists(win32.join(dir, MARKER))) return 'unchanged';
  const run = deps.run ?? runTool;
  const who = await run('whoami', ['/user', '/fo', 'csv', '/nh']);
  const sid = who.ok ? sidFromWhoami(who.stdout) : null;
  if (!sid) throw new Error(refusal(dir, 'could not read your account SID (whoami /user)'));
  // (OI)(CI)F: full control, inherited by every file and folder created inside; /inheritance:r drops
  // the drive's grants (e.g. Users: read) so children inherit only these three.
  const grants = [`*${sid}`, SYSTEM, ADMINISTRATORS].flatMap((who) => ['/grant:r', `${who}:(OI)(CI)F`]);
  const r = await run('icacls', [dir, '/inheritance:r', ...grants]);
  if (!r.ok) throw new Error(refusal(dir, `icacls failed: ${r.stdout.trim().split(/\r?\n/)[0] ?? ''}`));
  (deps.mark ?? ((p: string) => writeFileSync(p, 'restricted to the owner by llama-orch\n')))(win32.join(dir, MARKER));
  return 'restricted';
}

function refusal(dir: string, why: string): string {
  return `cannot restrict the data folder ${dir} to your user (${why}); API keys and tokens stored there would be readable by other users of this computer. Use a folder inside your profile, or restrict this one yourself and create ${MARKER} in it`;
}

/** `"DOMAIN\user","S-1-5-21-…"` → the SID. */
export function sidFromWhoami(stdout: string): string | null {
  return /"(S-1-5-[\d-]+)"/.exec(stdout)?.[1] ?? null;
}

function insideProfile(dir: string, env: NodeJS.ProcessEnv): boolean {
  const profile = env.USERPROFILE;
  if (!profile) return false;
  const rel = win32.relative(win32.resolve(profile), win32.resolve(dir));
  return rel === '' || (!rel.startsWith('..') && !win32.isAbsolute(rel));
}
