// The record of an unfinished pull, `<downloads>/<pull id>.pull.json`, beside its part file(s): what
// to fetch (repo, pinned commit, endpoint, files with size and sha256) and which model id it becomes.
// The part files are the bytes; the sidecar is what lets a restarted core list the pull as paused and
// resume it. It never holds the hub token (the token is read from the settings when the pull runs).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HubFile, ResolvedPull } from './hub.js';
import { assertSafeId, safeFileName } from './ids.js';

export interface PullSidecar {
  schemaVersion: 1;
  id: string;
  modelId: string;
  resolved: ResolvedPull;
}

const SUFFIX = '.pull.json';

export function sidecarPath(downloadsDir: string, id: string): string {
  return join(downloadsDir, `${id}${SUFFIX}`);
}

/** Written to a temporary name, then renamed: a crash never leaves half a sidecar. */
export async function writeSidecar(downloadsDir: string, s: PullSidecar): Promise<void> {
  await mkdir(downloadsDir, { recursive: true });
  const path = sidecarPath(downloadsDir, s.id);
  const { repo, revision, endpoint, quant, files, projector } = s.resolved;
  const only = ({ path: p, name, size, sha256, url }: HubFile): HubFile => ({ path: p, name, size, sha256, url });
  const body: PullSidecar = {
    schemaVersion: 1,
    id: s.id,
    modelId: s.modelId,
    resolved: { repo, revision, endpoint, quant, files: files.map(only), ...(projector ? { projector: only(projector) } : {}) },
  };
  await writeFile(`${path}.tmp`, JSON.stringify(body, null, 2));
  await rename(`${path}.tmp`, path);
}

export async function removeSidecar(downloadsDir: string, id: string): Promise<void> {
  await rm(sidecarPath(downloadsDir, id), { force: true });
}

/** Every readable sidecar; unreadable or foreign ones are removed (they cannot be resumed). */
export function readSidecars(downloadsDir: string): PullSidecar[] {
  let names: string[];
  try {
    names = readdirSync(downloadsDir).filter((n) => n.endsWith(SUFFIX));
  } catch {
    return [];
  }
  const out: PullSidecar[] = [];
  for (const name of names) {
    const path = join(downloadsDir, name);
    try {
      const s = JSON.parse(readFileSync(path, 'utf8')) as PullSidecar;
      if (!isSidecar(s) || `${s.id}${SUFFIX}` !== name) throw new Error('not a pull sidecar');
      assertSafeId(s.modelId);
      for (const f of s.resolved.projector ? [...s.resolved.files, s.resolved.projector] : s.resolved.files) safeFileName(f.name);
      out.push(s);
    } catch {
      rmSync(path, { force: true });
    }
  }
  return out;
}

function isSidecar(s: PullSidecar): boolean {
  const r = s?.resolved;
  return (
    s?.schemaVersion === 1 &&
    typeof s.id === 'string' &&
    /^pull-[0-9a-f]+$/.test(s.id) &&
    typeof s.modelId === 'string' &&
    typeof r?.repo === 'string' &&
    typeof r.revision === 'string' &&
    typeof r.endpoint === 'string' &&
    Array.isArray(r.files) &&
    r.files.length > 0 &&
    r.files.every(isHubFile) &&
    (r.projector == null || isHubFile(r.projector))
  );
}

function isHubFile(f: HubFile): boolean {
  return typeof f.path === 'string' && typeof f.name === 'string' && typeof f.size === 'number' && typeof f.url === 'string' && (f.sha256 === null || /^[0-9a-f]{64}$/.test(f.sha256));
}
