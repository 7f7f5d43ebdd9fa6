// `kit export`: engines (as archives of their installed folders), library models (split files kept
// whole), saved deployments and the settings without secrets, into a folder; kit.json, written
// last, lists every file with its size and sha256 — a folder without kit.json is not a kit.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { execa } from 'execa';
import {
  KIT_FORMAT_VERSION,
  KIT_MANIFEST,
  type Deployment,
  type EngineInfo,
  type KitDeployment,
  type KitExportResult,
  type KitFile,
  type KitManifest,
  type KitModel,
  type KitProgress,
  type ModelManifest,
} from '../../contract/index.js';
import { sha256File } from '../download/download.js';
import type { EngineService } from '../engines/service.js';
import { copyWithSha256, writeJsonAtomic } from '../models/files.js';
import type { ModelLibrary } from '../models/library.js';
import { withoutSecrets } from '../util/redact-secrets.js';
import { KitError } from './errors.js';

export interface KitSources {
  library: ModelLibrary;
  engines: EngineService;
  /** The saved deployments. */
  deployments: () => Deployment[];
  settings: () => { engines: { defaultEngine: string | null } } & object;
  appVersion: string;
}

export interface ExportOptions {
  /** Library ids or aliases; default every model in the library. */
  models?: string[];
  /** Engine ids; default every installed engine. */
  engines?: string[];
  onProgress?: (p: KitProgress) => void;
}

export async function exportKit(src: KitSources, dir: string, opts: ExportOptions = {}): Promise<KitExportResult> {
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new KitError('kit_target', `${dir} is not an empty folder; export a kit into a new or empty folder`);
  }
  const models = opts.models ? opts.models.map((m) => src.library.require(m)) : src.library.manifestsList();
  const engines = opts.engines ? opts.engines.map((id) => requireEngine(src.engines, id)) : src.engines.list();
  const total = models.reduce((s, m) => s + m.files.reduce((t, f) => t + f.sizeBytes, 0), 0);
  const progress = tracker(total, opts.onProgress);
  mkdirSync(dir, { recursive: true });
  const files: KitFile[] = [];
  const kitEngines = [];
  for (const e of engines) {
    const archive = `engines/${archiveName(e)}`;
    progress.file(archive);
    files.push(await packEngine(e, join(dir, archive), archive));
    kitEngines.push({ id: e.id, archive, tag: e.tag, variant: e.variant, backend: e.backend });
  }
  const kitModels: KitModel[] = [];
  for (const m of models) {
    const paths = [];
    for (const f of m.files) {
      const path = `models/${m.id}/${f.name}`;
      progress.file(path);
      files.push(await copyModelFile(f, join(dir, path), path));
      progress.add(f.sizeBytes);
      paths.push(path);
    }
    kitModels.push({ id: m.id, displayName: m.displayName, aliases: m.aliases, files: paths, origin: originOf(m) });
  }
  const { deployments, skipped } = carriedDeployments(src.deployments(), new Set(models.map((m) => m.id)), new Set(engines.map((e) => e.id)));
  for (const m of models) if (m.mmproj) skipped.push(`model ${m.id}: its vision projector ${m.mmproj.name} is not carried by kits yet`);
  const defaultEngine = src.settings().engines.defaultEngine;
  const manifest: KitManifest = {
    formatVersion: KIT_FORMAT_VERSION,
    appVersion: src.appVersion,
    createdAt: new Date().toISOString(),
    files,
    engines: kitEngines,
    models: kitModels,
    deployments,
    defaultEngine: defaultEngine && kitEngines.some((e) => e.id === defaultEngine) ? defaultEngine : null,
    settings: withoutSecrets(src.settings()) as Record<string, unknown>,
  };
  await writeJsonAtomic(join(dir, KIT_MANIFEST), manifest);
  return {
    dir,
    files: files.length,
    bytes: files.reduce((s, f) => s + f.size, 0),
    engines: kitEngines.map((e) => e.id),
    models: kitModels.map((m) => m.id),
    deployments: deployments.map((d) => d.name),
    skipped,
  };
}

function requireEngine(engines: EngineService, id: string): EngineInfo {
  const e = engines.get(id);
  if (!e)
    throw new KitError(
      'not_found',
      `engine '${id}' is not installed; installed: ${
        engines
          .list()
          .map((x) => x.id)
          .join(', ') || 'none'
      }`,
    );
  return e;
}

/** Named like a release asset when it is one, so the import gets the same id, tag and variant back. */
function archiveName(e: EngineInfo): string {
  return e.tag && e.variant && e.id === `${e.tag}-${e.variant}` ? `llama-${e.tag}-bin-${e.variant}.tar.gz` : `${e.id}.tar.gz`;
}

async function packEngine(e: EngineInfo, out: string, path: string): Promise<KitFile> {
  mkdirSync(dirname(out), { recursive: true });
  const r = await execa('tar', ['-czf', out, '-C', dirname(e.dir), basename(e.dir)], { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new KitError('kit_target', `cannot pack engine '${e.id}' with tar: ${String(r.stderr || r.message).trim()}`);
  return { path, size: statSync(out).size, sha256: await sha256File(out) };
}

/** Copied with its hash checked against the library's: a damaged model never goes into a kit. */
async function copyModelFile(f: ModelManifest['files'][number], out: string, path: string): Promise<KitFile> {
  mkdirSync(dirname(out), { recursive: true });
  const sha256 = await copyWithSha256(f.path, out);
  if (sha256 !== f.sha256) throw new KitError('kit_tampered', `${f.path} no longer matches the library's sha256 (run \`llama-orch models verify\`); the kit was not finished`, path);
  return { path, size: statSync(out).size, sha256 };
}

function originOf(m: ModelManifest): string {
  return m.source.kind === 'hub' ? `hub:${m.source.repo}@${m.source.revision}/${m.source.file}` : `import:${basename(m.source.path)}`;
}

/** Deployments whose model (and pinned engine) travel in the kit; the others are named as left out. */
export function carriedDeployments(all: Deployment[], models: Set<string>, engines: Set<string>): { deployments: KitDeployment[]; skipped: string[] } {
  const deployments: KitDeployment[] = [];
  const skipped: string[] = [];
  for (const d of all) {
    if (!models.has(d.model)) skipped.push(`deployment ${d.name}: its model ${d.model} is not in the kit`);
    else if (d.engine && !engines.has(d.engine)) skipped.push(`deployment ${d.name}: its engine ${d.engine} is not in the kit`);
    else if (d.mmproj) skipped.push(`deployment ${d.name}: a vision projector file is not carried by kits yet`);
    else {
      const { name, model, aliases, engine, overrides, role, pooling, reproducible, pinned, idleTtlSeconds, extraFlags } = d;
      deployments.push({ name, model, aliases, engine, overrides, role, pooling, reproducible, pinned, idleTtlSeconds, extraFlags });
    }
  }
  return { deployments, skipped };
}

function tracker(total: number, sink?: (p: KitProgress) => void) {
  let bytes = 0;
  let file: string | null = null;
  const emit = () => sink?.({ phase: 'copy', file, bytes, totalBytes: total });
  return {
    file: (f: string) => ((file = f), emit()),
    add: (n: number) => ((bytes += n), emit()),
  };
}
