// The model library: one folder per model under <data>/models/<id>/ with a manifest.json (files,
// sha256, source, GGUF facts). A model appears only once its folder is complete: imports and pulls
// build it in a `.staging-*` folder and rename it into place. Lookups are by id or alias,
// case-insensitive; the gateway and the placement planner read `resolve()` and `list()`.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve as resolvePath } from 'node:path';
import type { ModelFile, ModelLicense, ModelManifest, ModelSource, ModelSummary, VerifyModelResponse } from '../../contract/index.js';
import { sha256File } from '../download/download.js';
import { moveFile, renameWithRetry } from '../util/fs-retry.js';
import { ModelError } from './errors.js';
import { copyWithSha256, shardName, shardPaths, writeJsonAtomic } from './files.js';
import { factsFromGguf, readGguf, type ParsedGguf } from './gguf-facts.js';
import { assertSafeId, safeFileName, slugify } from './ids.js';
import { isProjectorName, modelInFolder, projectorBeside } from './projector.js';
import { assertSpace, type FreeSpace } from './space.js';

export interface ModelLibraryOptions {
  modelsDir: string;
  /** Whether an engine serves the model now; remove is refused while it does. Given by the core. */
  isLoaded?: (id: string) => boolean;
  now?: () => Date;
  /** Free bytes in a folder (a seam for tests; default statfs). */
  freeSpace?: FreeSpace;
}

export interface ImportOptions {
  /** Reference the file(s) in place instead of copying (default: copy). */
  link?: boolean;
  id?: string;
  signal?: AbortSignal;
  /** Don't pair a vision projector found beside the file (default: pair it). */
  noProjector?: boolean;
}

/** A verified file waiting in the downloads folder, handed over by a pull. */
export interface DownloadedFile {
  name: string;
  tempPath: string;
  sha256: string;
  sizeBytes: number;
}

const MANIFEST = 'manifest.json';
const STAGING_PREFIX = '.staging-';

export class ModelLibrary {
  readonly modelsDir: string;
  /** Manifests that could not be read at load, with the reason (shown by `models list`). */
  readonly problems: string[] = [];
  private readonly manifests = new Map<string, ModelManifest>();
  /** Ids being imported or pulled right now: a second import of the same id waits for none, it fails. */
  private readonly reserved = new Set<string>();
  private isLoaded: (id: string) => boolean;

  constructor(private readonly opts: ModelLibraryOptions) {
    this.modelsDir = resolvePath(opts.modelsDir);
    this.isLoaded = opts.isLoaded ?? (() => false);
    mkdirSync(this.modelsDir, { recursive: true });
    this.reload();
  }

  /** The core wires this after the supervisor exists. */
  setLoadedCheck(isLoaded: (id: string) => boolean): void {
    this.isLoaded = isLoaded;
  }

  /**
   * Read every manifest from disk (sync: manifests are small). Also picks up models another process
   * (the CLI beside a running app) added or removed. Staging folders of dead processes are cleared.
   */
  reload(): void {
    const next = new Map<string, ModelManifest>();
    this.problems.length = 0;
    for (const entry of readdirSync(this.modelsDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (entry.name.startsWith(STAGING_PREFIX)) {
        const pid = Number(/-p(\d+)-[0-9a-f]+$/.exec(entry.name)?.[1]);
        if (!pid || !processAlive(pid)) rmSync(join(this.modelsDir, entry.name), { recursive: true, force: true });
        continue;
      }
      const file = join(this.modelsDir, entry.name, MANIFEST);
      if (!existsSync(file)) continue;
      try {
        const m = JSON.parse(readFileSync(file, 'utf8')) as ModelManifest;
        if (m.schemaVersion !== 1 || m.id !== entry.name || !Array.isArray(m.files) || !m.facts || !['import', 'hub'].includes(m.source?.kind))
          throw new Error(`not a manifest of schemaVersion 1 for '${entry.name}'`);
        next.set(m.id, this.withLocalPaths(m));
      } catch (err) {
        this.problems.push(`${file}: ${(err as Error).message}`);
      }
    }
    this.manifests.clear();
    for (const [id, m] of next) this.manifests.set(id, m);
  }

  list(): ModelSummary[] {
    this.reload();
    return [...this.manifests.values()].sort((a, b) => a.id.localeCompare(b.id)).map((m) => this.summary(m));
  }

  manifestsList(): ModelManifest[] {
    return [...this.manifests.values()];
  }

  get(id: string): ModelManifest | undefined {
    return this.manifests.get(id);
  }

  /** By id, then alias, case-insensitive, with or without a `.gguf` suffix. */
  resolve(idOrAlias: string): ModelManifest | undefined {
    // A miss may be a model the CLI added while the app runs: look at the disk once more.
    const found = this.lookup(idOrAlias);
    if (found) return found;
    this.reload();
    return this.lookup(idOrAlias);
  }

  private lookup(idOrAlias: string): ModelManifest | undefined {
    const exact = this.manifests.get(idOrAlias);
    if (exact) return exact;
    const key = idOrAlias.toLowerCase().replace(/\.gguf$/, '');
    for (const m of this.manifests.values()) if (m.id === key) return m;
    for (const m of this.manifests.values()) if (m.aliases.some((a) => a.toLowerCase() === key)) return m;
    return undefined;
  }

  require(idOrAlias: string): ModelManifest {
    const m = this.resolve(idOrAlias);
    if (m) return m;
    const ids = [...this.manifests.keys()].sort();
    throw new ModelError('model_not_found', `model '${idOrAlias}' is not in the library; models: ${ids.join(', ') || 'none (import or pull one)'}`, 'id');
  }

  /** Path llama-server is given: the first shard (it finds the others itself). */
  modelPath(idOrAlias: string): string | undefined {
    return this.resolve(idOrAlias)?.files[0]?.path;
  }

  summary(m: ModelManifest): ModelSummary {
    return {
      id: m.id,
      displayName: m.displayName,
      aliases: m.aliases,
      architecture: m.facts.architecture,
      parameterCount: m.facts.parameterCount,
      quant: m.facts.quant,
      contextLength: m.facts.contextLength,
      sizeBytes: m.facts.sizeBytes,
      diskBytes: this.diskBytes(m),
      source: m.source.kind,
      linked: m.source.kind === 'import' && m.source.linked,
      license: modelLicense(m),
      addedAt: m.addedAt,
      mmproj: m.mmproj?.name ?? null,
    };
  }

  /** Bytes the model occupies under the data dir (a linked import occupies none). */
  diskBytes(m: ModelManifest): number {
    return m.source.kind === 'import' && m.source.linked ? 0 : filesOf(m).reduce((s, f) => s + f.sizeBytes, 0);
  }

  totalDiskBytes(): number {
    let total = 0;
    for (const m of this.manifests.values()) total += this.diskBytes(m);
    return total;
  }

  /** An id for a new model: the requested one (checked) or a slug of `name`, free in the library. */
  newId(name: string, requested?: string): string {
    const id = requested !== undefined ? assertSafeId(requested) : slugify(name);
    if (this.manifests.has(id) || this.reserved.has(id)) {
      const m = this.manifests.get(id);
      const from = m ? (m.source.kind === 'hub' ? `pulled from ${m.source.repo}` : `imported from ${m.source.path}`) : 'being added right now';
      throw new ModelError('model_exists', `a model with id '${id}' is already in the library (${from}); remove it first or choose another id`, 'id');
    }
    return id;
  }

  /**
   * Import a GGUF file (or the one model in a folder) from disk: checks it, reads its facts, hashes
   * it, copies (or links) it, with the vision projector lying beside it when there is one.
   */
  async import(path: string, opts: ImportOptions = {}): Promise<ModelManifest> {
    let src = resolvePath(path);
    const st = await stat(src).catch(() => null);
    if (!st) throw new ModelError('file_not_found', `no such file: ${src}`, 'path');
    if (st.isDirectory()) src = modelInFolder(src);
    else if (!st.isFile()) throw new ModelError('file_not_found', `${src} is not a file`, 'path');
    if (isProjectorName(src)) throw new ModelError('not_gguf', `${basename(src)} is a vision projector (mmproj), not a model: import the model beside it and the projector comes with it`, 'path');
    const projector = opts.noProjector ? null : projectorBeside(src);
    const paths = shardPaths(src);
    const missing = paths.filter((p) => !existsSync(p));
    if (missing.length) throw new ModelError('missing_shard', `split model is incomplete: missing ${missing.map((p) => basename(p)).join(', ')} next to ${basename(src)}`, 'path');
    const parsed: ParsedGguf[] = [];
    for (const p of paths) parsed.push(await readGguf(p));
    const first = basename(paths[0]!);
    const facts = factsFromGguf(parsed, first);
    const stem = stemOf(first);
    const id = this.newId(stem, opts.id);
    if (!opts.link) await assertSpace(this.modelsDir, facts.sizeBytes, `a copy of ${first} (or import it with --link)`, this.opts.freeSpace);
    this.reserved.add(id);
    try {
      const link = opts.link ?? false;
      const files: ModelFile[] = [];
      const staging = await this.staging(id);
      try {
        for (const p of parsed) {
          const name = safeFileName(basename(p.path));
          const sha256 = link ? await sha256File(p.path) : await copyWithSha256(p.path, join(staging, name), opts.signal);
          files.push({ name, path: link ? p.path : join(this.modelsDir, id, name), sizeBytes: p.sizeBytes, sha256 });
        }
        const mmproj = projector ? await this.copyProjector(projector, staging, id, link, opts.signal) : null;
        const manifest = this.manifest(id, facts.name ?? stem, [stem], files, { kind: 'import', path: src, linked: link }, facts, mmproj);
        return await this.commit(staging, manifest);
      } catch (err) {
        await rm(staging, { recursive: true, force: true });
        throw err;
      }
    } finally {
      this.reserved.delete(id);
    }
  }

  /** Reserve an id for a pull so two pulls (or a pull and an import) cannot race for it. */
  reserve(id: string): () => void {
    this.newId(id, id);
    this.reserved.add(id);
    return () => this.reserved.delete(id);
  }

  /** A projector beside an imported model, copied (or linked) and hashed like the model's files. */
  private async copyProjector(path: string, staging: string, id: string, link: boolean, signal?: AbortSignal): Promise<ModelFile> {
    const name = safeFileName(basename(path));
    const sizeBytes = (await stat(path)).size;
    const sha256 = link ? await sha256File(path) : await copyWithSha256(path, join(staging, name), signal);
    return { name, path: link ? path : join(this.modelsDir, id, name), sizeBytes, sha256 };
  }

  /**
   * Register files a pull (or a kit import) downloaded and verified: facts are read, then the files
   * (and the vision projector pulled with them) move into place.
   */
  async addDownloaded(id: string, files: DownloadedFile[], source: ModelSource, aliases: string[] = [], projector: DownloadedFile | null = null): Promise<ModelManifest> {
    if (this.manifests.has(id)) throw new ModelError('model_exists', `a model with id '${id}' is already in the library`, 'id');
    const parsed: ParsedGguf[] = [];
    for (const f of files) parsed.push(await readGguf(f.tempPath, f.name));
    const facts = factsFromGguf(parsed, files[0]!.name);
    const staging = await this.staging(id);
    const moved: DownloadedFile[] = [];
    try {
      const entries: ModelFile[] = [];
      let mmproj: ModelFile | null = null;
      for (const f of projector ? [...files, projector] : files) {
        const name = safeFileName(f.name);
        // The models folder may be on another drive than the downloads (EXDEV): moveFile copies then.
        await moveFile(f.tempPath, join(staging, name), { sha256: f.sha256 });
        moved.push(f);
        const entry = { name, path: join(this.modelsDir, id, name), sizeBytes: f.sizeBytes, sha256: f.sha256 };
        if (f === projector) mmproj = entry;
        else entries.push(entry);
      }
      const stem = stemOf(files[0]!.name);
      return await this.commit(staging, this.manifest(id, facts.name ?? stem, [stem, ...aliases], entries, source, facts, mmproj));
    } catch (err) {
      // Verified data is never deleted because a move failed: what reached the staging folder goes back.
      for (const f of moved) await moveFile(join(staging, safeFileName(f.name)), f.tempPath, { sha256: f.sha256 }).catch(() => undefined);
      if (moved.every((f) => existsSync(f.tempPath))) await rm(staging, { recursive: true, force: true });
      throw err;
    }
  }

  /** Remove a model (its folder; a linked file stays where it is). Refused while an engine serves it. */
  async remove(idOrAlias: string): Promise<ModelManifest> {
    const m = this.require(idOrAlias);
    if (this.isLoaded(m.id)) {
      throw new ModelError('model_loaded', `model '${m.id}' is loaded: an engine is serving it; stop its instance first, then remove it`, 'id');
    }
    this.manifests.delete(m.id);
    await rm(join(this.modelsDir, m.id), { recursive: true, force: true });
    return m;
  }

  /** Re-hash every file and compare with the manifest. */
  async verify(idOrAlias: string): Promise<VerifyModelResponse> {
    const m = this.require(idOrAlias);
    const files: VerifyModelResponse['files'] = [];
    for (const f of filesOf(m)) {
      try {
        const actual = await sha256File(f.path);
        files.push({ name: f.name, expected: f.sha256, actual, ok: actual === f.sha256, error: actual === f.sha256 ? null : 'sha256 differs: the file changed or is damaged' });
      } catch (err) {
        files.push({ name: f.name, expected: f.sha256, actual: null, ok: false, error: `cannot read ${f.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      }
    }
    return { id: m.id, ok: files.every((f) => f.ok), files };
  }

  private async staging(id: string): Promise<string> {
    const dir = join(this.modelsDir, `${STAGING_PREFIX}${id}-p${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  private async commit(staging: string, manifest: ModelManifest): Promise<ModelManifest> {
    await writeJsonAtomic(join(staging, MANIFEST), manifest);
    try {
      await renameWithRetry(staging, join(this.modelsDir, manifest.id));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new ModelError('model_exists', `a folder for model '${manifest.id}' already exists in ${this.modelsDir}`, 'id');
      throw err;
    }
    this.manifests.set(manifest.id, manifest);
    return manifest;
  }

  private manifest(id: string, displayName: string, aliases: string[], files: ModelFile[], source: ModelSource, facts: ModelManifest['facts'], mmproj: ModelFile | null = null): ModelManifest {
    const uniq = [...new Set(aliases)].filter((a) => a.toLowerCase() !== id);
    return { schemaVersion: 1, id, displayName, aliases: uniq, files, source, addedAt: (this.opts.now?.() ?? new Date()).toISOString(), facts, ...(mmproj ? { mmproj } : {}) };
  }

  /** Library-owned files live beside the manifest wherever the data dir was moved. */
  private withLocalPaths(m: ModelManifest): ModelManifest {
    if (m.source.kind === 'import' && m.source.linked) return m;
    const local = (f: ModelFile) => ({ ...f, path: join(this.modelsDir, m.id, safeFileName(f.name)) });
    return { ...m, files: m.files.map(local), ...(m.mmproj ? { mmproj: local(m.mmproj) } : {}) };
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The model's files and its vision projector (what a copy, a verify or the disk total covers). */
export function filesOf(m: ModelManifest): ModelFile[] {
  return m.mmproj ? [...m.files, m.mmproj] : m.files;
}

/** `Llama-3-8B-Q4_K_M-00001-of-00002.gguf` → `Llama-3-8B-Q4_K_M`. */
export function stemOf(fileName: string): string {
  return shardName(fileName)?.prefix ?? fileName.replace(/\.gguf$/i, '');
}

/** The GGUF's own `general.license` first (it travels with the file), else the Hub card's. */
export function modelLicense(m: ModelManifest): ModelLicense | null {
  if (m.facts.license) return { id: m.facts.license, link: m.facts.licenseLink ?? null, from: 'gguf' };
  if (m.source.kind === 'hub' && m.source.cardLicense) return { id: m.source.cardLicense, link: null, from: 'hub-card' };
  return null;
}
